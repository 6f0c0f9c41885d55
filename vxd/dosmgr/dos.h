/*
 * dos: the DOS API of one VM -- DOSMGR's portable core (no hardware, no VMM calls: unit-tested
 * and fuzzed on the host).  It works on the VM's V86 memory (mem: linear 0 .. 10FFEFh), its
 * client registers at an INT 21h (or INT 20h), drive C: (dosfs, shared by every VM: the caller
 * serialises) and a console and clock the VxD provides (dos_io).
 *
 * What DOS keeps in a VM's memory is real, so that programs that look at it work: the PSPs, the
 * environments, the memory control blocks (an 'M'/'Z' chain from first_mcb to the end of
 * conventional memory), the job file tables in the PSPs; the List of Lists at DOS_DATA_SEG.  What
 * DOS keeps to itself (the open files, the current directory, a process's saved registers) is
 * here, in struct dos.
 *
 * A call changes the client registers as DOS would and sets CF (and ZF, for the few functions
 * that answer in it) in r->eflags; the VxD copies them into the INT's FLAGS image.  EXEC and
 * terminate change CS:IP and SS:SP: the stub an INT 21h reached ends in IRET, so the client state
 * here is "at that IRET, the INT frame at SS:SP", and a new program starts through an IRET frame
 * built on its own stack (with IF set).
 */
#ifndef DOSMGR_DOS_H
#define DOSMGR_DOS_H
#include <stdint.h>
#include "vmm/client.h"
#include "dosfs.h"

#define DOS_MEM_SIZE    0x10FFF0u       /* the V86 space */
#define DOS_DATA_SEG    0x0060u         /* 0600h: DOS's data (List of Lists at 0060:DOS_LOL) */
#define DOS_LOL         0x0026u
#define DOS_INDOS       0x0010u         /* the InDOS flag (INT 21h AH=34h) */
#define DOS_ROOT_PSP    0x0070u         /* 0700h: the root process's PSP (the VM's first program's parent) */
#define DOS_ROOT_ENV    0x0080u         /* 0800h: its environment, 1 KB */
#define DOS_ROOT_ENV_SIZE 0x400u
#define DOS_BOOT_SEG    0x00C0u         /* 0C00h-0FFFh: the bootstrap that EXECs the first program */
#define DOS_SFT_MAX     64u             /* open files per VM */
#define DOS_JFT_DEFAULT 20u
#define DOS_NEST_MAX    16u             /* programs EXECing programs */
#define DOS_ENV_MAX     0x8000u         /* an environment block: at most 32 KB */

/* The console and the clock (the VxD's: nested INT 16h / INT 10h in the VM, the RTC). */
struct dos_time { uint16_t year; uint8_t month, day, hour, min, sec, hundredths; };
struct dos_io {
    void *ctx;
    /* A key: its character (0 or E0h for an extended key, whose scan code comes at the next call),
     * or -1 if none is waiting and wait is 0.  wait: block until there is one. */
    int (*con_in)(void *ctx, int wait);
    void (*con_out)(void *ctx, const uint8_t *s, uint32_t n);
    void (*now)(void *ctx, struct dos_time *t);
    /* Something a user should read: a program refused, a function DOS here does not have. */
    void (*say)(void *ctx, const char *msg);
    /* A Ctrl-C abandoned the INT 21h call r was made with (r: its registers again): run the
     * program's INT 23h so that returning from it makes the call again (DOSMGR: the handler's
     * IRET goes to the INT 21h stub; a RETF with CF set ends the program, dos_ctrl_c_end).
     * NULL: the program ends at once, as under DOS's default handler. */
    void (*ctrl_c)(void *ctx, struct client_regs *r);
};

struct dos_sft {                        /* an open file or device */
    uint32_t node;                      /* dosfs node (a file), or DOSFS_NONE for a device */
    uint32_t pos;
    uint8_t refs;                       /* JFT entries that point here; 0: unused */
    uint8_t mode;                       /* the open mode's access bits (0 R, 1 W, 2 RW) */
    uint8_t dev;                        /* DOS_DEV_* */
    uint8_t eof_seen;
};
enum { DOS_DEV_FILE, DOS_DEV_CON, DOS_DEV_AUX, DOS_DEV_PRN, DOS_DEV_NUL };

struct dos_proc {                       /* a program running another: what to go back to */
    struct client_regs parent;          /* at the parent's INT 21h AH=4Bh (its IRET) */
    uint16_t psp, parent_psp;
    uint32_t parent_dta;
    char name[80];                      /* the child: its full path ("C:\\GAMES\\X.EXE") */
};

struct dos {
    uint8_t *mem;
    struct dosfs *fs;
    struct dos_io io;
    uint16_t first_mcb, mem_top;        /* paragraphs: the chain's first MCB, the end of memory */
    uint16_t psp;                       /* the current PSP */
    uint32_t dta;                       /* seg << 16 | off */
    uint32_t cwd;                       /* dosfs node of the current directory */
    uint16_t exit_code;                 /* AH type, AL code: INT 21h AH=4Dh */
    uint16_t last_error;
    uint8_t break_flag, verify, strategy;
    uint8_t brk_check, brk;             /* this call looks for Ctrl-C; one came */
    int16_t pending;                    /* the scan code of an extended key read, -1 none */
    int64_t clock_offset;               /* seconds: AH=2Bh/2Dh set the VM's clock, not the RTC */
    struct dos_sft sft[DOS_SFT_MAX];
    struct dos_proc procs[DOS_NEST_MAX];
    uint32_t nprocs;
    int ended;                          /* the first program ended: the VM ends (code: exit_code) */
    uint8_t line[130];                  /* CON's line for handle reads: what is left of it */
    uint8_t line_len, line_pos;
    uint8_t said[256];                  /* INT 21h AH=xx not here: said once */
};

/* A VM's DOS, in its memory: the data area, the root PSP with CON/AUX/PRN on handles 0-4 and an
 * environment (env: "NAME=value" strings, each NUL-terminated, ending in an empty one), the
 * vectors the caller gives (INT 20h-28h, 2Eh: seg << 16 | off of its stubs; 0 keeps one) and a
 * free MCB chain [first_mcb, mem_top).  0, or -1 if the memory given is too small. */
int dos_init(struct dos *d, uint8_t *mem, struct dosfs *fs, const struct dos_io *io,
             uint16_t first_mcb, uint16_t mem_top, const char *env, const uint32_t vectors[16]);
/* Handles (the VM's open files) closed; nothing else to free. */
void dos_close_all(struct dos *d);

void dos_int21(struct dos *d, struct client_regs *r);
/* The program running now: the innermost EXEC's path, or "" before the first. */
const char *dos_program(const struct dos *d);
void dos_int20(struct dos *d, struct client_regs *r);     /* terminate, code 0 */
void dos_int27(struct dos *d, struct client_regs *r);     /* TSR: DX bytes kept */
/* The current program ends as by Ctrl-C (type 1): its INT 23h handler said so (RETF, CF set). */
void dos_ctrl_c_end(struct dos *d, struct client_regs *r);

/* Checking the MCB chain: 0 if it is sound (every block 'M' but the last 'Z', ending at
 * mem_top), else DOSERR_MCB_DESTROYED; *free_paras the free paragraphs, *largest the largest
 * free block.  For MEM and for tests. */
int dos_mcb_walk(struct dos *d, uint32_t *free_paras, uint32_t *largest, uint32_t *blocks);

#endif
