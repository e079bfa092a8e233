build-v/lib/perm.o: lib/perm.c lib/perm.h lib/caller.h
lib/perm.h:
lib/caller.h:
