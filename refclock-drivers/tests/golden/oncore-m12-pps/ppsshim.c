/* LD_PRELOAD shim: answers the PPS ioctls on any descriptor as a PPS
 * source whose assert edge comes at every whole second of CLOCK_REALTIME,
 * with the assert offset applied as the kernel does. For comparing the
 * C Oncore driver on a pseudo-terminal only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <linux/pps.h>

static struct pps_kparams params = { .api_version = PPS_API_VERS_1 };

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	switch (req) {
	case PPS_GETCAP:
		*(int *)arg = PPS_CAPTUREASSERT | PPS_CAPTURECLEAR | PPS_OFFSETASSERT |
			PPS_OFFSETCLEAR | PPS_CANWAIT | PPS_TSFMT_TSPEC;
		return 0;
	case PPS_GETPARAMS:
		*(struct pps_kparams *)arg = params;
		return 0;
	case PPS_SETPARAMS:
		params = *(struct pps_kparams *)arg;
		return 0;
	case PPS_KC_BIND:
		return 0;
	case PPS_FETCH: {
		struct pps_fdata *f = arg;
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		memset(&f->info, 0, sizeof f->info);
		long long ns = (long long)now.tv_sec * 1000000000LL;
		ns += (long long)params.assert_off_tu.sec * 1000000000LL + params.assert_off_tu.nsec;
		f->info.assert_tu.sec = ns / 1000000000LL;
		f->info.assert_tu.nsec = ns % 1000000000LL;
		if (f->info.assert_tu.nsec < 0) {
			f->info.assert_tu.nsec += 1000000000;
			f->info.assert_tu.sec -= 1;
		}
		f->info.assert_sequence = (unsigned)now.tv_sec;
		return 0;
	}
	}
	int (*real)(int, unsigned long, ...) = dlsym(RTLD_NEXT, "ioctl");
	return real(fd, req, arg);
}
