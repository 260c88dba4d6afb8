/* cli_signal.c - SIGINT/SIGTERM as a stop request (see cli_signal.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli_signal.h"

#include <string.h>

volatile sig_atomic_t fc_job_stop = 0;

static void on_signal(int sig)
{
    fc_job_stop = sig;
}

void fc_job_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int fc_job_signal_exit(void)
{
    return 128 + (int)fc_job_stop;
}
