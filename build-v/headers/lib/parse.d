build-v/headers/lib/parse.o: build-v/headers/lib/parse.c lib/parse.h \
 lib/err.h
lib/parse.h:
lib/err.h:
