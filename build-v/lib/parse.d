build-v/lib/parse.o: lib/parse.c lib/parse.h lib/err.h lib/utf8.h \
 lib/format.h lib/strbuf.h lib/timeutil.h
lib/parse.h:
lib/err.h:
lib/utf8.h:
lib/format.h:
lib/strbuf.h:
lib/timeutil.h:
