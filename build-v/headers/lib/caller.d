build-v/headers/lib/caller.o: build-v/headers/lib/caller.c lib/caller.h
lib/caller.h:
