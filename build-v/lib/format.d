build-v/lib/format.o: lib/format.c lib/format.h lib/strbuf.h \
 lib/timeutil.h lib/utf8.h
lib/format.h:
lib/strbuf.h:
lib/timeutil.h:
lib/utf8.h:
