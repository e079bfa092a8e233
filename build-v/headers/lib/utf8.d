build-v/headers/lib/utf8.o: build-v/headers/lib/utf8.c lib/utf8.h
lib/utf8.h:
