/* SPDX-License-Identifier: Apache-2.0 */
/*
 * passwd_migrate: move one user of a shadow-style file from a legacy crypt(3) hash
 * (sha512crypt `$6$`, sha256crypt `$5$`) to a FIPS-approved pbkdf2-sha512 hash.
 *
 *   passwd_migrate SHADOW_FILE USER < password
 *
 * Reads the user's line (`user:hash[:more fields]`), checks the password (first line of
 * stdin) against it and, when it is valid and the hash needs a rehash, prints the line
 * with a new `$pbkdf2-sha512$` hash and the other fields unchanged. The file is not
 * modified: writing it back (under a lock, atomically) is the caller's business.
 *
 * Exit status: 0 new line printed (or the hash is already current: the line is printed
 * unchanged), 1 wrong password, refused scheme or unusable hash (e.g. a locked account's
 * `!` or `*`), 2 usage, I/O or a missing user.
 *
 * The legacy check runs in libcrypt, outside the FIPS boundary; it is a migration path,
 * which is why a valid legacy hash always reports needs_rehash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fipsrt/fipsrt.h>

/* The line of `user` in `path` without its newline, malloc'd; NULL if absent. */
static char *find_user(FILE *f, const char *user)
{
    char *line = NULL;
    size_t cap = 0, ulen = strlen(user);
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, user, ulen) == 0 && line[ulen] == ':')
            return line;
    }
    free(line);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: passwd_migrate SHADOW_FILE USER < password\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    char *line = find_user(f, argv[2]);
    fclose(f);
    if (line == NULL) {
        fprintf(stderr, "passwd_migrate: no user '%s' in %s\n", argv[2], argv[1]);
        return 2;
    }

    char password[1024];
    if (fgets(password, sizeof(password), stdin) == NULL) {
        fprintf(stderr, "passwd_migrate: no password on stdin\n");
        free(line);
        return 2;
    }
    password[strcspn(password, "\r\n")] = '\0';

    /* Split "user:hash:rest" without copying: the hash ends at the next ':' (or the end). */
    char *hash = line + strlen(argv[2]) + 1;
    char *rest = strchr(hash, ':');
    if (rest != NULL)
        *rest++ = '\0';

    int status = 0, needs_rehash = 0;
    int rv = fipsrt_passwd_verify(hash, password, strlen(password), &needs_rehash);
    if (rv < 0) {
        fprintf(stderr, "passwd_migrate: %s: %s\n", argv[2], fipsrt_strerror(rv));
        fprintf(stderr, "  %s\n", fipsrt_last_error());
        status = 1;
    } else if (!needs_rehash) {
        fprintf(stderr, "passwd_migrate: %s: hash is already current\n", argv[2]);
        printf("%s:%s%s%s\n", argv[2], hash, rest ? ":" : "", rest ? rest : "");
    } else {
        char fresh[FIPSRT_PASSWD_HASH_MAX];
        rv = fipsrt_passwd_hash(password, strlen(password), 0, fresh, sizeof(fresh), NULL);
        if (rv < 0) {
            fprintf(stderr, "passwd_migrate: hash: %s\n  %s\n", fipsrt_strerror(rv),
                    fipsrt_last_error());
            status = 2;
        } else {
            printf("%s:%s%s%s\n", argv[2], fresh, rest ? ":" : "", rest ? rest : "");
        }
    }
    explicit_bzero(password, sizeof(password));
    free(line);
    return status;
}
