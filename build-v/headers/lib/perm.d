build-v/headers/lib/perm.o: build-v/headers/lib/perm.c lib/perm.h \
 lib/caller.h
lib/perm.h:
lib/caller.h:
