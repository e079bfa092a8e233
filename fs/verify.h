/*
 * verify: `monfs verify DIR [--public-key FILE]` (SPEC 14), which checks
 * an archive written by --trail-archive as `aws cloudtrail validate-logs`
 * checks CloudTrail's: every digest's signature and chain, every log
 * file's hash, and that every log file is covered by a digest.
 */
#ifndef MONFS_FS_VERIFY_H
#define MONFS_FS_VERIFY_H

/*
 * Run the subcommand; argv[0] is "verify". Prints the results on stdout
 * (problems, one line each, then the counts) and returns the exit
 * status: 0 when every file is valid, 1 when one is not (or the archive
 * or the key cannot be read), 2 for a usage error.
 */
int verify_main(int argc, char **argv);

#endif
