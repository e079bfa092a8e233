build-v/headers/lib/kv.o: build-v/headers/lib/kv.c lib/kv.h lib/err.h \
 lib/strbuf.h
lib/kv.h:
lib/err.h:
lib/strbuf.h:
