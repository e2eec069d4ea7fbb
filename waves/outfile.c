/* Checked output files for the waves (outfile.h). */
#define _GNU_SOURCE
#include "outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char why[OUTFILE_WHY], const char *path, const char *what) {
  snprintf(why, OUTFILE_WHY, "%s: %s", path, what);
  return -1;
}

/* Refuses an existing path that is not a regular file (stat follows a symlink to its end). */
static int regular_or_absent(const char *path, char why[OUTFILE_WHY]) {
  struct stat st;
  if (stat(path, &st) != 0) return 0; /* absent (or a dangling link: rename replaces the link) */
  if (S_ISREG(st.st_mode)) return 0;
  return fail(why, path,
              S_ISDIR(st.st_mode)
                  ? "is a directory"
                  : "exists and is not a regular file (a device, FIFO or socket); not replaced");
}

int outfile_temp(const char *path, char *tmp, size_t len, char why[OUTFILE_WHY]) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  int dir = slash ? (int)(slash - path + 1) : 0;
  if (!*base) return fail(why, path, "names a directory, not a file");
  if ((size_t)snprintf(tmp, len, "%.*s.%s.XXXXXX", dir, path, base) >= len)
    return fail(why, path, "the name is too long");
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    snprintf(why, OUTFILE_WHY, "%s: cannot create a file in its directory: %s", path, strerror(e));
    return -1;
  }
  /* mkstemp makes it 0600; an output gets the mode a new file gets (0666 less the umask) */
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  close(fd);
  return 0;
}

int outfile_check(const char *path, char why[OUTFILE_WHY]) {
  char tmp[4096];
  if (regular_or_absent(path, why)) return -1;
  if (outfile_temp(path, tmp, sizeof tmp, why)) return -1;
  unlink(tmp);
  return 0;
}

int outfile_commit(const char *tmp, const char *path, char why[OUTFILE_WHY]) {
  if (regular_or_absent(path, why)) return -1;
  if (rename(tmp, path) != 0) {
    int e = errno;
    snprintf(why, OUTFILE_WHY, "%s: cannot be written: %s", path, strerror(e));
    return -1;
  }
  return 0;
}
