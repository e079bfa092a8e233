build-v/lib/filter_def.o: lib/filter_def.c lib/filter.h lib/err.h \
 lib/parse.h lib/pattern.h lib/strbuf.h lib/format.h lib/kv.h
lib/filter.h:
lib/err.h:
lib/parse.h:
lib/pattern.h:
lib/strbuf.h:
lib/format.h:
lib/kv.h:
