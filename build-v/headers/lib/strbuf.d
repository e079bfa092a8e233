build-v/headers/lib/strbuf.o: build-v/headers/lib/strbuf.c lib/strbuf.h
lib/strbuf.h:
