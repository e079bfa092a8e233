build-v/headers/lib/filter.o: build-v/headers/lib/filter.c lib/filter.h \
 lib/err.h lib/parse.h lib/pattern.h lib/strbuf.h
lib/filter.h:
lib/err.h:
lib/parse.h:
lib/pattern.h:
lib/strbuf.h:
