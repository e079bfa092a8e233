build-v/headers/lib/format.o: build-v/headers/lib/format.c lib/format.h \
 lib/strbuf.h
lib/format.h:
lib/strbuf.h:
