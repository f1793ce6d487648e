/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output files of the fipsrt tool: written to a temporary file in the target's directory
 * and renamed over the target only when every byte is on disk, so a failed command leaves
 * the old file (or none), never a truncated one. Secret outputs are created 0600, also when
 * they replace an existing file (the rename puts a new inode in place).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static bool is_stdout(const char *path) { return path == NULL || strcmp(path, "-") == 0; }

int cli_out_open(cli_out *o, const char *path, bool secret)
{
    memset(o, 0, sizeof(*o));
    o->fd = -1;
    o->path = path;
    if (is_stdout(path)) {
        if (fflush(stdout) != 0)   /* keep the order of what stdio already holds */
            return -1;
        o->fd = STDOUT_FILENO;
        return 0;
    }
    /* Follow a link to the file it names: renaming over the link would replace the link. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        o->real = realpath(path, NULL);
        if (o->real != NULL)
            o->path = path = o->real;   /* a dangling link is replaced like a missing file */
    }
    /* A device or FIFO is no file to replace: renaming over /dev/null (as root) would put a
     * regular file where the device was. Write to it in place. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            cli_out_abort(o);
            errno = EISDIR;
            return -1;
        }
        o->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (o->fd < 0) {
            int e = errno;
            cli_out_abort(o);
            errno = e;
            return -1;
        }
        o->direct = true;
        return 0;
    }
    char *copy = strdup(path);
    if (copy == NULL) {
        cli_out_abort(o);
        return -1;
    }
    const char *dir = dirname(copy);
    size_t n = strlen(dir) + 32;
    o->tmp = malloc(n);
    if (o->tmp == NULL) {
        free(copy);
        cli_out_abort(o);
        errno = ENOMEM;
        return -1;
    }
    snprintf(o->tmp, n, "%s/.fipsrt-out.XXXXXX", dir);
    free(copy);
    o->fd = mkostemp(o->tmp, O_CLOEXEC);   /* mode 0600 */
    if (o->fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        cli_out_abort(o);
        errno = e;
        return -1;
    }
    if (!secret) {   /* an ordinary file: what open(..., 0666) would give under the umask */
        mode_t mask = umask(0);
        umask(mask);
        if (fchmod(o->fd, 0666 & ~mask) != 0) {
            int e = errno;
            cli_out_abort(o);
            errno = e;
            return -1;
        }
    }
    return 0;
}

int cli_out_write(cli_out *o, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(o->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int cli_out_commit(cli_out *o)
{
    if (o->direct) {
        int e = close(o->fd) != 0 ? errno : 0;
        o->fd = -1;
        cli_out_abort(o);
        errno = e;
        return e ? -1 : 0;
    }
    if (o->tmp == NULL)
        return 0;   /* stdout: each write was checked */
    int e = 0;
    if (fsync(o->fd) != 0)
        e = errno;
    if (close(o->fd) != 0 && e == 0)
        e = errno;
    o->fd = -1;
    if (e == 0 && rename(o->tmp, o->path) != 0)
        e = errno;
    if (e != 0) {
        unlink(o->tmp);
        errno = e;
    }
    free(o->tmp);
    o->tmp = NULL;
    free(o->real);
    o->real = NULL;
    return e ? -1 : 0;
}

void cli_out_abort(cli_out *o)
{
    free(o->real);
    o->real = NULL;
    if (o->direct) {
        if (o->fd >= 0)
            close(o->fd);
        o->fd = -1;
        o->direct = false;
        return;
    }
    if (o->tmp == NULL)
        return;
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
}

int cli_write_file(const char *path, const void *data, size_t len, bool secret)
{
    cli_out o;
    if (cli_out_open(&o, path, secret) != 0)
        return -1;
    if (cli_out_write(&o, data, len) != 0) {
        int e = errno;
        cli_out_abort(&o);
        errno = e;
        return -1;
    }
    return cli_out_commit(&o);
}

int cli_finish_stdout(int status)
{
    /* Every command's stdout text is checked here: a failed write is a failed command. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        fprintf(stderr, "fipsrt: writing standard output: %s\n", strerror(e ? e : EIO));
        return status == CLI_OK ? CLI_USAGE : status;
    }
    return status;
}
