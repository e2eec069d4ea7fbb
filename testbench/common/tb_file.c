/* Files named on the command line (tb_file.h). */
#define _XOPEN_SOURCE 700 /* lstat, mkstemp, fdopen, fsync, realpath */
#include "tb_file.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tb_output {
  FILE *f;
  char *path;  /* as given: for messages */
  char *final; /* what is renamed onto: PATH, or the file a symbolic link PATH names */
  char *tmp;
};

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

FILE *tb_input_open(const char *path, tb_error *err) {
  if (strcmp(path, "-") == 0) return stdin;
  FILE *f = fopen(path, "r");
  if (!f) {
    tb_fail(err, TB_E_IO, "cannot read '%s': %s", path, strerror(errno));
    return NULL;
  }
  /* fopen opens a directory on Linux; its first read would fail as a bare EISDIR */
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    tb_fail(err, TB_E_IO, "cannot read '%s': it is a directory", path);
    return NULL;
  }
  return f;
}

void tb_input_close(FILE *f) {
  if (f && f != stdin) fclose(f);
}

static const char *kind_of(mode_t m) {
  return S_ISDIR(m)                 ? "a directory"
         : S_ISCHR(m) || S_ISBLK(m) ? "a device"
         : S_ISFIFO(m)              ? "a FIFO"
         : S_ISSOCK(m)              ? "a socket"
                                    : "not a regular file";
}

/* The file the output replaces (PATH, or where a symbolic link PATH leads), malloc'd; NULL
 * with err filled when PATH may not be written. */
static char *output_target(const char *path, tb_error *err) {
  struct stat st;
  if (!*path) {
    tb_fail(err, TB_E_IO, "cannot write '': an empty file name");
    return NULL;
  }
  /* /dev/stdout, /dev/fd/N, /proc/self/fd/N lead to whatever the descriptor is (a terminal,
   * a pipe, or the file standard output was sent to, which a rename would replace) */
  if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0) {
    tb_fail(err, TB_E_IO, "cannot write '%s': it is a device, not a regular file", path);
    return NULL;
  }
  char *final = NULL;
  if (lstat(path, &st) == 0) {
    bool link = S_ISLNK(st.st_mode);
    if (link && stat(path, &st) != 0) {
      tb_fail(err, TB_E_IO, "cannot write '%s': a symbolic link to nothing (%s)", path,
              strerror(errno));
      return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
      /* Never unlinked nor replaced: the output goes to a new file that is renamed, which a
       * device, a FIFO or a directory cannot take (docs/cli.md, "Files"). */
      tb_fail(err, TB_E_IO, "cannot write '%s': it is %s%s, not a regular file", path,
              link ? "a symbolic link to " : "", kind_of(st.st_mode));
      return NULL;
    }
    if (access(path, W_OK) != 0) {
      tb_fail(err, TB_E_IO, "cannot write '%s': %s", path, strerror(errno));
      return NULL;
    }
    final = link ? realpath(path, NULL) : dup_str(path);
  } else if (errno == ENOENT) {
    final = dup_str(path);
  } else {
    tb_fail(err, TB_E_IO, "cannot write '%s': %s", path, strerror(errno));
    return NULL;
  }
  if (!final) {
    tb_fail(err, TB_E_NOMEM, "cannot write '%s': %s", path, strerror(errno));
    return NULL;
  }
  /* the directory must exist and let us create the temporary file */
  char *slash = strrchr(final, '/');
  char *dir = slash ? dup_str(final) : dup_str(".");
  if (!dir) {
    free(final);
    tb_fail(err, TB_E_NOMEM, "out of memory");
    return NULL;
  }
  if (slash) dir[slash - final == 0 ? 1 : slash - final] = '\0';
  int ok = stat(dir, &st) == 0 ? (S_ISDIR(st.st_mode) ? access(dir, W_OK | X_OK) : -2) : -1;
  if (ok != 0) {
    tb_fail(err, TB_E_IO, "cannot write '%s': %s", path,
            ok == -2 ? "its directory is not a directory" : strerror(errno));
    free(dir);
    free(final);
    return NULL;
  }
  free(dir);
  return final;
}

int tb_output_check(const char *path, tb_error *err) {
  char *final = output_target(path, err);
  if (!final) return err ? err->code : TB_E_IO;
  free(final);
  return TB_OK;
}

bool tb_same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return strcmp(a, "-") != 0 && strcmp(b, "-") != 0 && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void output_free(tb_output *o) {
  free(o->path);
  free(o->final);
  free(o->tmp);
  free(o);
}

tb_output *tb_output_open(const char *path, tb_error *err) {
  char *final = output_target(path, err);
  if (!final) return NULL;
  tb_output *o = calloc(1, sizeof *o);
  size_t len = strlen(final) + 12;
  if (!o || !(o->path = dup_str(path)) || !(o->tmp = malloc(len))) {
    if (o) free(o->path);
    free(o);
    free(final);
    tb_fail(err, TB_E_NOMEM, "out of memory");
    return NULL;
  }
  o->final = final;
  snprintf(o->tmp, len, "%s.tmp-XXXXXX", final); /* beside the file: rename stays atomic */
  int fd = mkstemp(o->tmp);
  mode_t mask = umask(0); /* mkstemp makes the file 0600: give it the mode fopen would */
  umask(mask);
  if (fd < 0 || fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w"))) {
    tb_fail(err, TB_E_IO, "cannot write '%s': %s", path, strerror(errno));
    if (fd >= 0) {
      close(fd);
      remove(o->tmp);
    }
    output_free(o);
    return NULL;
  }
  return o;
}

FILE *tb_output_stream(tb_output *o) { return o->f; }
const char *tb_output_path(const tb_output *o) { return o->path; }

int tb_output_commit(tb_output *o, tb_error *err) {
  const char *why = NULL;
  errno = 0;
  if (fflush(o->f) != 0 || ferror(o->f)) why = strerror(errno ? errno : EIO);
  else if (fsync(fileno(o->f)) != 0) why = strerror(errno);
  if (fclose(o->f) != 0 && !why) why = strerror(errno);
  if (!why && rename(o->tmp, o->final) != 0) why = strerror(errno);
  int st = TB_OK;
  if (why) {
    st = tb_fail(err, TB_E_IO, "cannot write '%s': %s", o->path, why);
    remove(o->tmp);
  }
  output_free(o);
  return st;
}

void tb_output_abort(tb_output *o) {
  if (!o) return;
  fclose(o->f);
  remove(o->tmp);
  output_free(o);
}
