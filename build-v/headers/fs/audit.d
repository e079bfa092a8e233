build-v/headers/fs/audit.o: build-v/headers/fs/audit.c fs/audit.h \
 fs/path.h
fs/audit.h:
fs/path.h:
