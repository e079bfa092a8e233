build-v/headers/fs/path.o: build-v/headers/fs/path.c fs/path.h
fs/path.h:
