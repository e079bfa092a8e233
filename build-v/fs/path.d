build-v/fs/path.o: fs/path.c fs/path.h lib/parse.h lib/err.h
fs/path.h:
lib/parse.h:
lib/err.h:
