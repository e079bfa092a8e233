build-v/headers/lib/err.o: build-v/headers/lib/err.c lib/err.h
lib/err.h:
