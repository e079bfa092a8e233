build-v/headers/fs/xattr.o: build-v/headers/fs/xattr.c fs/xattr.h
fs/xattr.h:
