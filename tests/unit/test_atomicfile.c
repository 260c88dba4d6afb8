/* test_atomicfile.c - temp file + rename, no-clobber, abort, errors. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formcheck/atomicfile.h"
#include "formcheck/error.h"

static char dir[32];

static int count_entries(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/fc_atomic_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void read_file(const char *path, char *buf, size_t n)
{
    FILE *fp = fopen(path, "r");
    size_t got;

    assert_non_null(fp);
    got = fread(buf, 1, n - 1, fp);
    buf[got] = '\0';
    fclose(fp);
}

static void test_commit_and_no_clobber(void **state)
{
    (void)state;
    char path[128], buf[64], err[FC_ERRBUF_SIZE];
    fc_atomic_file *af = NULL;

    snprintf(path, sizeof path, "%s/r.json", dir);
    assert_int_equal(fc_atomic_open(&af, path, 0, err, sizeof err), 0);
    fputs("one", fc_atomic_stream(af));
    assert_int_equal(count_entries(), 1);             /* only the temp file */
    assert_int_equal(access(path, F_OK), -1);         /* target not there yet */
    assert_int_equal(fc_atomic_commit(af, err, sizeof err), 0);
    read_file(path, buf, sizeof buf);
    assert_string_equal(buf, "one");
    assert_int_equal(count_entries(), 1);             /* temp gone */

    /* exists, no force: refused at open, message names the file */
    assert_int_equal(fc_atomic_open(&af, path, 0, err, sizeof err), FC_EEXIST);
    assert_non_null(strstr(err, path));
    assert_null(af);

    /* force replaces */
    assert_int_equal(fc_atomic_open(&af, path, FC_ATOMIC_FORCE, err, sizeof err), 0);
    fputs("two", fc_atomic_stream(af));
    assert_int_equal(fc_atomic_commit(af, err, sizeof err), 0);
    read_file(path, buf, sizeof buf);
    assert_string_equal(buf, "two");
}

static void test_second_writer_loses(void **state)
{
    (void)state;
    char path[128], buf[64], err[FC_ERRBUF_SIZE];
    fc_atomic_file *a = NULL, *b = NULL;

    snprintf(path, sizeof path, "%s/race.json", dir);
    assert_int_equal(fc_atomic_open(&a, path, 0, err, sizeof err), 0);
    assert_int_equal(fc_atomic_open(&b, path, 0, err, sizeof err), 0);
    fputs("A", fc_atomic_stream(a));
    fputs("B", fc_atomic_stream(b));
    assert_int_equal(fc_atomic_commit(a, err, sizeof err), 0);
    assert_int_equal(fc_atomic_commit(b, err, sizeof err), FC_EEXIST);
    read_file(path, buf, sizeof buf);
    assert_string_equal(buf, "A");
    assert_int_equal(count_entries(), 1);
}

static void test_abort_and_errors(void **state)
{
    (void)state;
    char path[128], err[FC_ERRBUF_SIZE];
    fc_atomic_file *af = NULL;

    snprintf(path, sizeof path, "%s/aborted.json", dir);
    assert_int_equal(fc_atomic_open(&af, path, 0, err, sizeof err), 0);
    fputs("partial", fc_atomic_stream(af));
    fc_atomic_abort(af);
    assert_int_equal(count_entries(), 0);
    fc_atomic_abort(NULL);

    assert_int_equal(fc_atomic_open(&af, dir, FC_ATOMIC_FORCE, err, sizeof err), FC_EISDIR);
    assert_int_equal(fc_atomic_open(&af, "/nonexistent-dir/x.json", 0, err, sizeof err), FC_ENOENT);
    assert_non_null(strstr(err, "/nonexistent-dir/x.json"));
    if (geteuid() != 0) { /* root ignores permissions */
        char ro[96];
        snprintf(ro, sizeof ro, "%s/ro", dir);
        assert_int_equal(mkdir(ro, 0500), 0);
        snprintf(path, sizeof path, "%s/x.json", ro);
        assert_int_equal(fc_atomic_open(&af, path, 0, err, sizeof err), FC_EACCES);
        rmdir(ro);
    }
}

static void test_full_disk(void **state)
{
    (void)state;
    /* /dev/full: writes fail with ENOSPC; commit must report it, not succeed. */
    char err[FC_ERRBUF_SIZE];
    fc_atomic_file *af = NULL;
    FILE *fp;

    if (access("/dev/full", W_OK) != 0)
        skip();
    /* Simulate by swapping the stream's fd for /dev/full. */
    char path[128];
    snprintf(path, sizeof path, "%s/full.json", dir);
    assert_int_equal(fc_atomic_open(&af, path, 0, err, sizeof err), 0);
    fp = freopen("/dev/full", "w", fc_atomic_stream(af));
    assert_non_null(fp);
    for (int i = 0; i < 10000; i++)
        fputs("xxxxxxxxxxxxxxxx", fp);
    assert_int_equal(fc_atomic_commit(af, err, sizeof err), FC_ENOSPC);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(count_entries(), 0);
}

static void test_device_target(void **state)
{
    (void)state;
    /* A device is written in place: never renamed over (as root that would
     * replace the node in /dev), no --force needed, write errors reported. */
    char err[FC_ERRBUF_SIZE];
    fc_atomic_file *af = NULL;
    struct stat st;

    if (access("/dev/null", W_OK) != 0 || access("/dev/full", W_OK) != 0)
        skip();
    assert_int_equal(fc_atomic_open(&af, "/dev/null", 0, err, sizeof err), 0);
    assert_string_equal(fc_atomic_temp_path(af), "/dev/null"); /* no temp file */
    fputs("discarded\n", fc_atomic_stream(af));
    assert_int_equal(fc_atomic_commit(af, err, sizeof err), 0);
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));

    assert_int_equal(fc_atomic_open(&af, "/dev/full", FC_ATOMIC_FORCE, err, sizeof err), 0);
    for (int i = 0; i < 10000; i++)
        fputs("xxxxxxxxxxxxxxxx", fc_atomic_stream(af));
    assert_int_equal(fc_atomic_commit(af, err, sizeof err), FC_ENOSPC);
    assert_non_null(strstr(err, "/dev/full: write failed"));
    assert_int_equal(stat("/dev/full", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_and_no_clobber, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_writer_loses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_target, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
