build-v/lib/kv.o: lib/kv.c lib/kv.h lib/err.h lib/strbuf.h lib/format.h
lib/kv.h:
lib/err.h:
lib/strbuf.h:
lib/format.h:
