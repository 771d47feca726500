/* plugins/conf_common: files named by a key are read only when regular and
 * bounded; listening addresses must be this host's; the bind probe finds a
 * port in use. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conf_common/conf_check.h"

static char *tmp_dir;

static char *tmp_file(const char *name, const char *text)
{
    char *p = g_build_filename(tmp_dir, name, NULL);
    g_assert_true(g_file_set_contents(p, text, -1, NULL));
    return p;
}

static void expect_read_error(const char *path, size_t max, int rc, const char *why_part)
{
    char *text = NULL, *why = NULL;
    g_assert_cmpint(gw_conf_file_read(path, max, &text, NULL, &why), ==, rc);
    g_assert_null(text);
    g_assert_nonnull(why);
    g_assert_nonnull(strstr(why, why_part));
    g_free(why);
}

static void test_file_read(void)
{
    char *ok = tmp_file("ok.csv", "hello\n");
    char *text = NULL, *why = NULL;
    size_t len = 0;
    g_assert_cmpint(gw_conf_file_read(ok, 6, &text, &len, &why), ==, 0);
    g_assert_cmpstr(text, ==, "hello\n");
    g_assert_cmpuint(len, ==, 6);
    g_free(text);

    expect_read_error(ok, 5, -EFBIG, "more than the 5 allowed");
    expect_read_error("/dev/zero", GW_CONF_FILE_MAX, -EINVAL, "/dev/zero: a character device, not a regular file");
    expect_read_error(tmp_dir, GW_CONF_FILE_MAX, -EINVAL, "a directory, not a regular file");
    expect_read_error("/nonexistent/x", GW_CONF_FILE_MAX, -ENOENT, "No such file or directory");
    expect_read_error("", GW_CONF_FILE_MAX, -EINVAL, "no file named");

    /* a FIFO nobody writes to: refused at once, not waited on */
    char *fifo = g_build_filename(tmp_dir, "fifo", NULL);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    expect_read_error(fifo, GW_CONF_FILE_MAX, -EINVAL, "a FIFO, not a regular file");
    g_assert_cmpint(gw_conf_file_check(fifo, GW_CONF_FILE_MAX, &why), ==, -EINVAL);
    g_free(why);

    g_assert_cmpint(gw_conf_file_check(ok, 6, &why), ==, 0);
    g_assert_cmpint(gw_conf_file_check(ok, 5, &why), ==, -EFBIG);
    g_free(why);
    g_unlink(fifo);
    g_unlink(ok);
    g_free(fifo);
    g_free(ok);
}

static void expect_addr(const char *addr, bool ifname, int rc, const char *why_part)
{
    char *why = NULL;
    g_assert_cmpint(gw_conf_addr_check(addr, ifname, &why), ==, rc);
    if (why_part) {
        g_assert_nonnull(why);
        g_assert_nonnull(strstr(why, why_part));
    } else {
        g_assert_null(why);
    }
    g_free(why);
}

static void test_addr(void)
{
    expect_addr("", false, 0, NULL);
    expect_addr("0.0.0.0", false, 0, NULL);
    expect_addr("::", false, 0, NULL);
    expect_addr("127.0.0.1", false, 0, NULL);
    expect_addr("lo", true, 0, NULL);
    expect_addr("lo", false, -EINVAL, "'lo' is not an IP address");
    expect_addr("192.0.2.1", false, -EADDRNOTAVAIL, "192.0.2.1 is not an address of this host");
    expect_addr("not an address", true, -EINVAL, "is not an IP address");
    expect_addr("nosuchif0", true, -EINVAL, "network interface of this host");
    expect_addr("127.0.0.1:80", true, -EINVAL, "is not an IP address");
}

static void test_listen_probe(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char *why = NULL;
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &sl), ==, 0);
    int port = ntohs(sa.sin_port);

    g_assert_cmpint(gw_conf_listen_probe("127.0.0.1", port, &why), ==, -EADDRINUSE);
    g_assert_nonnull(strstr(why, "Address already in use"));
    g_clear_pointer(&why, g_free);
    g_assert_cmpint(gw_conf_listen_probe("192.0.2.1", port, &why), ==, -EADDRNOTAVAIL);
    g_clear_pointer(&why, g_free);
    close(fd);
    /* free again: the probe binds and lets go */
    g_assert_cmpint(gw_conf_listen_probe("127.0.0.1", port, &why), ==, 0);
    g_assert_cmpint(gw_conf_listen_probe("127.0.0.1", port, &why), ==, 0);
    g_assert_cmpint(gw_conf_listen_probe("127.0.0.1", 0, &why), ==, 0);
    g_assert_null(why);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmp_dir = g_dir_make_tmp("gw-conf-check-XXXXXX", NULL);
    g_test_add_func("/conf_check/file_read", test_file_read);
    g_test_add_func("/conf_check/addr", test_addr);
    g_test_add_func("/conf_check/listen_probe", test_listen_probe);
    int rc = g_test_run();
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return rc;
}
