/* progs.h: the entry points of the multi-call binary (main.c dispatches). */
#ifndef UCHAT_PROGS_H
#define UCHAT_PROGS_H

int server_main(int argc, char **argv); /* udpchatd   (server.c) */
int client_main(int argc, char **argv); /* udpchat    (client.c) */
int ctl_main(int argc, char **argv);    /* udpchatctl (ctl.c) */
int ircbot_main(int argc, char **argv); /* udpchatirc (ircbot.c) */
int web_main(int argc, char **argv);    /* udpchatweb (web.c) */

#endif
