/* opt.h: command-line options by the POSIX getopt rules, without libc's
 * getopt (its messages drag stdio and multibyte decoding into the binary,
 * and its state is global). */
#ifndef UCHAT_OPT_H
#define UCHAT_OPT_H

struct opt {
	int ind;         /* argv index of the next argument; 1 to start */
	int pos;         /* byte within a cluster such as -Sp9000; 0 between */
	int opt;         /* the option character just read */
	const char *arg; /* its value, or NULL */
};
#define OPT_INIT { 1, 0, 0, 0 }

/* Reads the next option of argv. spec lists the option characters, each
 * followed by ':' when it takes a value ("-p 9000" or "-p9000"). Returns the
 * option character; '?' for a character not in spec and ':' for a missing
 * value (o->opt names the option either way); or -1 at the first operand, at
 * a lone "-", or after "--", with o->ind then indexing the first operand. */
int opt_next(struct opt *o, int argc, char **argv, const char *spec);

/* The option just read, for a message: "-p", or "-\xNN" for a byte that is
 * not printable ASCII (half a UTF-8 character would garble the terminal).
 * Writes into buf, OPT_NAME_MAX bytes, and returns it. */
#define OPT_NAME_MAX 8
const char *opt_name(const struct opt *o, char *buf);

#endif
