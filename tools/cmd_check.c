/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fipsrt check [OPTIONS] PATH...: does each ELF executable and shared object route its
 * cryptography through a FIPS module? Files are read in place (tools/elfaudit.c, no readelf
 * subprocess), directories walked, each file given one crypto route (tools/audit.h) and
 * findings judged against a policy of allowed routes and an allow-list of exceptions.
 * Exit: 0 no unwaived findings, 1 findings, 2 an unreadable input or a usage error.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_print.h"
#include "cli.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: fipsrt check [--json | --sarif] [--root DIR] [--allow FILE]\n"
            "                    [--allow-route ROUTE,...] [--deny-route ROUTE,...]\n"
            "                    [--jobs N] [--verbose] PATH...\n"
            "PATH: ELF files, or directories walked without following symbolic links.\n"
            "routes: none libfipsrt go-golang-fips-openssl go-boringcrypto\n"
            "  go-microsoft-systemcrypto go-fips140 go-fips-undetermined openssl-itself\n"
            "  go-std-crypto openssl-direct openssl-static openssl-dlopen other-crypto\n"
            "exit: 0 no findings, 1 findings, 2 unreadable input or usage error\n");
}

/* Set each route of comma-separated @p list to @p allow; false on an unknown name. */
static bool set_routes(struct policy *p, char *list, bool allow)
{
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        int r = route_parse(t);
        if (r < 0) {
            fprintf(stderr, "fipsrt check: unknown route \"%s\"\n", t);
            return false;
        }
        p->allowed[r] = allow;
    }
    return true;
}

int cmd_check(int argc, char **argv)
{
    bool json = false, sarif = false, verbose = false;
    const char *root = NULL, *allow_file = NULL;
    unsigned jobs = 0;
    struct policy policy;
    policy_default(&policy);
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *o = argv[i];
        bool has_arg = i + 1 < argc;
        if (strcmp(o, "--json") == 0) {
            json = true;
        } else if (strcmp(o, "--sarif") == 0) {
            sarif = true;
        } else if (strcmp(o, "--verbose") == 0 || strcmp(o, "-v") == 0) {
            verbose = true;
        } else if (strcmp(o, "--root") == 0 && has_arg) {
            root = argv[++i];
        } else if (strcmp(o, "--allow") == 0 && has_arg) {
            allow_file = argv[++i];
        } else if ((strcmp(o, "--allow-route") == 0 || strcmp(o, "--deny-route") == 0) &&
                   has_arg) {
            if (!set_routes(&policy, argv[++i], o[2] == 'a'))
                return CLI_USAGE;
        } else if (strcmp(o, "--jobs") == 0 && has_arg) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 1 || n > 64) {
                fprintf(stderr, "fipsrt check: --jobs takes 1 to 64\n");
                return CLI_USAGE;
            }
            jobs = (unsigned)n;
        } else if (strcmp(o, "--") == 0) {
            i++;
            break;
        } else {
            usage();
            return CLI_USAGE;
        }
    }
    if (json && sarif) {
        fprintf(stderr, "fipsrt check: --json and --sarif exclude each other\n");
        return CLI_USAGE;
    }
    char rootbuf[PATH_MAX];
    if (root != NULL && realpath(root, rootbuf) == NULL) {
        fprintf(stderr, "fipsrt check: --root %s: %s\n", root, strerror(errno));
        return CLI_USAGE;
    }
    /* --root alone audits the whole image. */
    char *root_arg[] = {rootbuf, NULL};
    char **paths = i < argc ? argv + i : root != NULL ? root_arg : NULL;
    size_t npaths = i < argc ? (size_t)(argc - i) : root != NULL ? 1 : 0;
    if (npaths == 0) {
        usage();
        return CLI_USAGE;
    }

    struct allowlist allow = {0};
    char err[512];
    if (allow_file != NULL && allowlist_load(allow_file, &allow, err, sizeof(err)) != 0) {
        fprintf(stderr, "fipsrt check: --allow %s: %s\n", allow_file, err);
        return CLI_USAGE;
    }
    struct scan_opts so = {root ? rootbuf : NULL, jobs, &policy, allow_file ? &allow : NULL};
    struct scan_result res;
    if (scan_run(paths, npaths, &so, &res) != 0) {
        scan_free(&res);
        allowlist_free(&allow);
        return CLI_USAGE;
    }
    int worst = CLI_OK;
    for (size_t k = 0; k < res.n; k++)
        if (!res.reports[k].skipped && !res.reports[k].dependency_only &&
            res.reports[k].status > worst)
            worst = res.reports[k].status;
    struct print_opts po = {&policy, allow_file ? &allow : NULL, so.root, verbose};
    if (json)
        print_json(&res, &po, worst);
    else if (sarif)
        print_sarif(&res, &po, worst);
    else
        print_text(&res, &po);
    scan_free(&res);
    allowlist_free(&allow);
    /* An unwritten report is exit 2 whatever it says; main's cli_finish_stdout() prints why. */
    if (fflush(stdout) != 0 || ferror(stdout))
        return CLI_USAGE;
    return worst;
}
