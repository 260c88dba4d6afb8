/*
 * cli_signal.h - internal to the formcheck binary: SIGINT/SIGTERM as a stop
 * request. A command installs the handler, checks fc_job_stop between stages
 * (and in frame loops), abandons its output (atomicfile: the temp file is
 * removed, the target untouched) and exits with fc_job_signal_exit().
 *
 * Same API as the e2e branch's cli_job.h (which also holds the analyze/record
 * job helpers): when both are merged, keep cli_job's and drop this file.
 */
#ifndef FC_CLI_SIGNAL_H
#define FC_CLI_SIGNAL_H

#include <signal.h>

/** Set to the signal number by SIGINT/SIGTERM once fc_job_signals_install() ran.
 *  The one mutable global of the binary: a signal handler has nowhere else to write. */
extern volatile sig_atomic_t fc_job_stop;

/** Catch SIGINT and SIGTERM into fc_job_stop (no SA_RESTART: blocking reads return). */
void fc_job_signals_install(void);

/** Exit code for a stop by signal: 128 + the signal (130 SIGINT, 143 SIGTERM). */
int fc_job_signal_exit(void);

#endif
