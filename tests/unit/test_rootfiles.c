/* Unit tests of artifact manifests (build, the cheap and the full check)
 * and of root locations and guarded deletes. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "manifest.h"
#include "rootdir.h"

static char dir[256];

static void put(const char *rel, const char *text)
{
    char p[600];
    FILE *f;

    snprintf(p, sizeof p, "%s/%s", dir, rel);
    f = fopen(p, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static void sh(const char *fmt, const char *arg)
{
    char cmd[1200];

    snprintf(cmd, sizeof cmd, fmt, arg, arg, arg, arg);
    if (system(cmd) != 0)
        fprintf(stderr, "command failed: %s\n", cmd);
}

/* A fresh artifact directory a/ with two files, one in a subdirectory. */
static void fresh(char *art, size_t n)
{
    sh("rm -rf '%s/a' && mkdir -p '%s/a/sub'", dir);
    put("a/x.txt", "hello\n");
    put("a/sub/y.txt", "world\n");
    snprintf(art, n, "%s/a", dir);
}

static void builds_sorted_with_fingerprint(void)
{
    char art[512], fp1[MLPI_HASH_HEX], fp2[MLPI_HASH_HEX];
    mlpi_manifest m = { 0 }, m2 = { 0 };
    mlp_error err;

    fresh(art, sizeof art);
    CHECK_MSG(mlpi_manifest_build(art, &m, fp1, &err) == MLP_OK, "%s", err.msg);
    CHECK(m.n == 2);
    CHECK(strcmp(m.files[0].name, "sub/y.txt") == 0);
    CHECK(strcmp(m.files[1].name, "x.txt") == 0);
    CHECK(m.files[1].size == 6 && m.files[1].ino != 0 && m.files[1].ctime_ns != 0);
    /* Same content elsewhere (new inodes): same fingerprint. */
    sh("rm -rf '%s/b' && cp -r '%s/a' '%s/b'", dir);
    snprintf(art, sizeof art, "%s/b", dir);
    CHECK(mlpi_manifest_build(art, &m2, fp2, &err) == MLP_OK);
    CHECK(strcmp(fp1, fp2) == 0);
    CHECK(m2.files[1].ino != m.files[1].ino);
    mlpi_manifest_free(&m2);
    /* A renamed file is another artifact. */
    sh("mv '%s/b/x.txt' '%s/b/z.txt'", dir);
    CHECK(mlpi_manifest_build(art, &m2, fp2, &err) == MLP_OK);
    CHECK(strcmp(fp1, fp2) != 0);
    mlpi_manifest_free(&m);
    mlpi_manifest_free(&m2);
}

static void refuses_links(void)
{
    char art[512], fp[MLPI_HASH_HEX];
    mlpi_manifest m = { 0 };
    mlp_error err;

    fresh(art, sizeof art);
    sh("ln -s /etc/passwd '%s/a/link'", dir);
    CHECK(mlpi_manifest_build(art, &m, fp, &err) == MLP_EINVAL);
    CHECK_CONTAINS(err.msg, "link is a symbolic link");
    mlpi_manifest_free(&m);
}

static void check_finds_every_change(void)
{
    char art[512], fp[MLPI_HASH_HEX], p[600];
    mlpi_manifest m = { 0 };
    mlp_error err;
    size_t refreshed = 99;
    struct stat st;
    struct timespec ts[2];
    int fd;

    fresh(art, sizeof art);
    CHECK(mlpi_manifest_build(art, &m, fp, &err) == MLP_OK);
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_OK);
    CHECK(refreshed == 0);
    CHECK(mlpi_manifest_check(art, &m, 1, &refreshed, &err) == MLP_OK);
    CHECK(refreshed == 0);
    /* Touched, same content: passes, identity refreshed. */
    snprintf(p, sizeof p, "%s/x.txt", art);
    CHECK(utimensat(AT_FDCWD, p, NULL, 0) == 0);
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_OK);
    CHECK(refreshed == 1 && m.files[1].refreshed);
    m.files[1].refreshed = 0;
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_OK);
    CHECK(refreshed == 0);
    /* One byte changed in place, size and both time stamps' visible
     * parts restored: only the change time differs. */
    CHECK(stat(p, &st) == 0);
    fd = open(p, O_WRONLY);
    CHECK(fd >= 0 && pwrite(fd, "J", 1, 0) == 1);
    close(fd);
    ts[0] = st.st_atim;
    ts[1] = st.st_mtim;
    CHECK(utimensat(AT_FDCWD, p, ts, 0) == 0);
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_ECORRUPT);
    CHECK_CONTAINS(err.msg, "file x.txt changed: its content differs");
    /* Size changed. */
    put("a/x.txt", "hello!\n");
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_ECORRUPT);
    CHECK_CONTAINS(err.msg, "file x.txt changed: 7 bytes, 6 when published");
    put("a/x.txt", "hello\n");
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_OK);
    /* Missing, extra, replaced by a directory or a link. */
    sh("rm '%s/a/sub/y.txt'", dir);
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_ECORRUPT);
    CHECK_CONTAINS(err.msg, "file sub/y.txt is missing");
    put("a/sub/y.txt", "world\n");
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_OK);
    put("a/sub/new.txt", "");
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_ECORRUPT);
    CHECK_CONTAINS(err.msg, "unexpected file sub/new.txt");
    sh("rm '%s/a/sub/new.txt' && ln -s x.txt '%s/a/l'", dir);
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_ECORRUPT);
    CHECK_CONTAINS(err.msg, "l is a symbolic link");
    sh("rm '%s/a/l' && rm '%s/a/x.txt' && ln -s sub/y.txt '%s/a/x.txt'", dir);
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_ECORRUPT);
    CHECK_CONTAINS(err.msg, "x.txt is no longer a regular file");
    /* The full check hashes even when identities agree. */
    fresh(art, sizeof art);
    mlpi_manifest_free(&m);
    CHECK(mlpi_manifest_build(art, &m, fp, &err) == MLP_OK);
    m.files[1].hash[0] = m.files[1].hash[0] == '0' ? '1' : '0';
    CHECK(mlpi_manifest_check(art, &m, 0, &refreshed, &err) == MLP_OK);
    CHECK(mlpi_manifest_check(art, &m, 1, &refreshed, &err) == MLP_ECORRUPT);
    mlpi_manifest_free(&m);
}

static void json_round_trip(void)
{
    char art[512], fp[MLPI_HASH_HEX];
    mlpi_manifest m = { 0 }, back = { 0 };
    mlp_error err;
    cJSON *j, *bad;

    fresh(art, sizeof art);
    CHECK(mlpi_manifest_build(art, &m, fp, &err) == MLP_OK);
    j = mlpi_manifest_to_json(&m);
    CHECK(mlpi_manifest_from_json(j, &back, &err) == MLP_OK);
    CHECK(back.n == 2 && strcmp(back.files[0].hash, m.files[0].hash) == 0 &&
          back.files[1].size == 6);
    cJSON_Delete(j);
    /* Entries come back sorted by name, whatever order the file has. */
    j = cJSON_Parse("[{\"name\": \"b\", \"size\": 1, \"hash\": "
                    "\"0123456789abcdef0123456789abcdef\"}, {\"name\": \"a/z\", "
                    "\"size\": 2, \"hash\": \"0123456789abcdef0123456789abcdef\"}]");
    mlpi_manifest_free(&back);
    CHECK(mlpi_manifest_from_json(j, &back, &err) == MLP_OK);
    CHECK(back.n == 2 && strcmp(back.files[0].name, "a/z") == 0 &&
          back.files[1].size == 1);
    cJSON_Delete(j);
    bad = cJSON_Parse("[{\"name\": \"../x\", \"size\": 1, \"hash\": "
                      "\"0123456789abcdef0123456789abcdef\"}]");
    mlpi_manifest_free(&back);
    CHECK(mlpi_manifest_from_json(bad, &back, &err) == MLP_EFORMAT);
    cJSON_Delete(bad);
    mlpi_manifest_free(&back);
    mlpi_manifest_free(&m);
}

static void locations(void)
{
    char buf[600];
    mlp_error err;

    CHECK(mlpi_root_path("/r", "artifacts/n/1-ab/p", buf, sizeof buf, &err) == MLP_OK);
    CHECK(strcmp(buf, "/r/artifacts/n/1-ab/p") == 0);
    static const char *const bad[] = {
        "/etc", "runs/x/artifacts/n/1/p", "artifacts/../x", "artifacts/n/../../x",
        "artifacts//x", "artifacts/n/./p", "artifacts/n/", "artifacts", "", NULL
    };
    for (int i = 0; bad[i]; i++)
        CHECK_MSG(mlpi_root_path("/r", bad[i], buf, sizeof buf, &err) ==
                  MLP_ECORRUPT, "accepted '%s'", bad[i]);
    CHECK_CONTAINS(err.msg, "not a path inside the root's artifacts/");
}

static void guarded_remove(void)
{
    char root[512], p[700];
    mlp_error err;

    sh("rm -rf '%s/root' '%s/victim' && mkdir -p '%s/root/artifacts/n/1/p' "
       "'%s/root/.tmp/5'", dir);
    sh("mkdir -p '%s/victim/d' && touch '%s/victim/d/f'", dir);
    snprintf(root, sizeof root, "%s/root", dir);
    sh("ln -s '%s/victim' '%s/root/artifacts/evil'", dir);
    snprintf(p, sizeof p, "%s/artifacts/evil/d", root);
    CHECK(mlpi_root_remove(root, p, &err) == MLP_ESTATE);
    CHECK_CONTAINS(err.msg, "refusing to remove");
    snprintf(p, sizeof p, "%s/victim/d/f", dir);
    CHECK(access(p, F_OK) == 0);
    snprintf(p, sizeof p, "%s/artifacts/../../victim", root);
    CHECK(mlpi_root_remove(root, p, &err) == MLP_ESTATE);
    snprintf(p, sizeof p, "%s/artifacts", root);
    CHECK(mlpi_root_remove(root, p, &err) == MLP_ESTATE);
    snprintf(p, sizeof p, "%s", root);
    CHECK(mlpi_root_remove(root, p, &err) == MLP_ESTATE);
    /* The link itself is inside: removing it leaves its target. */
    snprintf(p, sizeof p, "%s/artifacts/evil", root);
    CHECK(mlpi_root_remove(root, p, &err) == MLP_OK);
    snprintf(p, sizeof p, "%s/victim/d/f", dir);
    CHECK(access(p, F_OK) == 0);
    snprintf(p, sizeof p, "%s/artifacts/n/1", root);
    CHECK(mlpi_root_remove(root, p, &err) == MLP_OK);
    CHECK(access(p, F_OK) != 0);
    snprintf(p, sizeof p, "%s/.tmp", root);
    CHECK(mlpi_root_remove(root, p, &err) == MLP_OK);
    CHECK(access(p, F_OK) != 0);
    snprintf(p, sizeof p, "%s/artifacts/n/nothing", root);
    CHECK(mlpi_root_remove(root, p, &err) == MLP_OK);
}

static void exec_dirs_differ(void)
{
    char a[40], b[40];

    mlpi_root_exec_dir(7, a, sizeof a);
    mlpi_root_exec_dir(7, b, sizeof b);
    CHECK(strncmp(a, "7-", 2) == 0 && strlen(a) == 10);
    CHECK(strcmp(a, b) != 0);
}

int main(void)
{
    char cmd[300];

    snprintf(dir, sizeof dir, "/tmp/mlpipe-test-root-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    RUN(builds_sorted_with_fingerprint);
    RUN(refuses_links);
    RUN(check_finds_every_change);
    RUN(json_round_trip);
    RUN(locations);
    RUN(guarded_remove);
    RUN(exec_dirs_differ);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    CHECK_EXIT();
}
