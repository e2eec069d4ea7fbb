# tests (filled below)
