/* LD_PRELOAD shim: answers the PPS ioctls (RFC 2783 as Linux's PPS API
 * has them: PPS_GETCAP, PPS_GETPARAMS/SETPARAMS, PPS_KC_BIND, PPS_FETCH)
 * on any descriptor as a PPS source whose assert edge comes at every
 * whole second of CLOCK_REALTIME, with the assert offset applied as the
 * kernel does. With PPSSHIM_CLEAR=F (a fraction of a second, 0 < F < 1)
 * there is a clear edge F s after each assert edge too, the clear offset
 * applied likewise; without it, no clear edge (sequence 0).
 * For comparing C drivers on a pseudo-terminal only (tools/c-compare).
 * Build: gcc -shared -fPIC -O2 -o ppsshim.so ppsshim.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/pps.h>

static struct pps_kparams params = { .api_version = PPS_API_VERS_1 };

static void stamp(long long ns, struct pps_ktime *t)
{
	t->sec = ns / 1000000000LL;
	t->nsec = ns % 1000000000LL;
	if (t->nsec < 0) {
		t->nsec += 1000000000;
		t->sec -= 1;
	}
}

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
		long long sec = now.tv_sec;
		long long ns = sec * 1000000000LL;
		ns += (long long)params.assert_off_tu.sec * 1000000000LL + params.assert_off_tu.nsec;
		stamp(ns, &f->info.assert_tu);
		f->info.assert_sequence = (unsigned)sec;
		const char *clear = getenv("PPSSHIM_CLEAR");
		long long width = clear ? (long long)(atof(clear) * 1e9) : 0;
		if (width > 0 && width < 1000000000LL) {
			long long now_ns = sec * 1000000000LL + now.tv_nsec;
			long long csec = (now_ns - width) / 1000000000LL;
			ns = csec * 1000000000LL + width;
			ns += (long long)params.clear_off_tu.sec * 1000000000LL + params.clear_off_tu.nsec;
			stamp(ns, &f->info.clear_tu);
			f->info.clear_sequence = (unsigned)csec;
		}
		return 0;
	}
	}
	int (*real)(int, unsigned long, ...) = dlsym(RTLD_NEXT, "ioctl");
	return real(fd, req, arg);
}
