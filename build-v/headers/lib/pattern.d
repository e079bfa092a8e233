build-v/headers/lib/pattern.o: build-v/headers/lib/pattern.c \
 lib/pattern.h lib/err.h
lib/pattern.h:
lib/err.h:
