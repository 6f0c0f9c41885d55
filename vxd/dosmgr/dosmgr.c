/*
 * DOSMGR: DOS for the VMs of the virtual PC, with no DOS kernel in them (include/vmm/dosmgr.h).
 *
 * Drive C: is the boot partition, which the loader read into one block (include/boot/drivec.h);
 * dosfs.c makes a DOS drive of it in memory, shared by every VM (one mutex: a VM's call that
 * waits -- for a key -- lets the others in).  Writes stay in memory until the machine restarts,
 * up to [DOS] WriteLimitKB= (default 8192).
 *
 * A VM that DOSMGR_Start_VM makes gets, at its VM_Init, DOS in its memory (dos.c: the data
 * area, the root PSP and environment, the MCB chain over the rest of its conventional memory)
 * and INT 20h-2Fh pointed at stubs in its DOS data area -- `call far <call back>; iret`, as
 * VBIOS's -- so a program that hooks INT 21h and chains to the old vector reaches DOSMGR the
 * same way.  Its first code is boot.asm, which EXECs the program; when that ends the VM ends.
 * The system VM gets the same from DOSMGR_Start_Sys_VM (SHELL's [boot] shell=), its V86 code
 * started with Create_V86_Thread: when its program ends the system ends (Exit_System); when it
 * crashes the VM stays (VM_V86_RESET), and SHELL gives it a new command shell.
 * DOS's console is the VM's BIOS: keys through INT 16h (a wait there is HLT: no CPU), output
 * through INT 10h AH=0Eh (VDD), the clock through INT 1Ah (VBIOS) -- each a nested execution in
 * the VM, so the VM's own hooks on those vectors see them as under DOS.
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/vmmsvc.h>
#include <vmm/vm.h>
#include <vmm/v86.h>
#include <vmm/heap.h>
#include <vmm/thread.h>
#include <vmm/dosmgr.h>
#include <vmm/vdd.h>
#include "boot/drivec.h"
#include "dos.h"
#include "dosfs.h"
#include "lib/ascii.h"

VMM_IMPORT(_Debug_Printf_Service)
VMM_IMPORT(_HeapAllocate)
VMM_IMPORT(_HeapFree)
VMM_IMPORT(Get_Profile_String)
VMM_IMPORT(Allocate_V86_Call_Back)
VMM_IMPORT(_Allocate_Device_CB_Area)
VMM_IMPORT(Create_V86_VM)
VMM_IMPORT(Create_V86_Thread)
VMM_IMPORT(Save_Client_State)
VMM_IMPORT(Restore_Client_State)
VMM_IMPORT(Begin_Nest_V86_Exec)
VMM_IMPORT(Exec_Int)
VMM_IMPORT(End_Nest_Exec)
VMM_IMPORT(_CreateMutex)
VMM_IMPORT(_EnterMutex)
VMM_IMPORT(_LeaveMutex)
VMM_IMPORT(Release_Time_Slice)
VMM_IMPORT(Schedule_Global_Event)
VMM_IMPORT(Destroy_VM)
VMM_IMPORT(Create_Semaphore)
VMM_IMPORT(Wait_Semaphore)
VMM_IMPORT(Get_VM_Client)
VMM_IMPORT(_GetFirstV86Page)
VMM_IMPORT(Get_Cur_VM_Handle)
VMM_IMPORT(Get_Sys_VM_Handle)
VMM_IMPORT(Get_Execution_Focus)
VMM_IMPORT(Set_Execution_Focus)
VMM_IMPORT(Get_Next_VM_Handle)
VMM_IMPORT(Get_VM_Last_V86_Page)
VMM_IMPORT(Set_VM_Time_Slice_Priority)
VMM_IMPORT(Simulate_Int)
VMM_IMPORT(Exit_System)
VMM_IMPORT(Validate_VM_Handle)
VMM_IMPORT(Get_VM_Crash_Report)
VMM_IMPORT(Get_DDB)
VMM_IMPORT(_Sprintf)
VDD_IMPORT(VDD_Show_Message)

#define printf _Debug_Printf_Service
void *VMM_Module_Map(const char *name, uint32_t *size);     /* the VMM's, linked by name */

extern const uint8_t _binary_boot_bin_start[], _binary_boot_bin_end[];

#define CF      0x0001u
#define ARITH   0x08D5u                         /* CF PF AF ZF SF OF */
#define WRITE_LIMIT_KB_DEFAULT 8192u
#define NSTUBS  16u                             /* INT 20h .. 2Fh */

struct dvm {                                    /* a DOS VM */
    struct dos dos;
    VMHANDLE vm;
    int scan;                                   /* an extended key's scan code still to give */
    uint16_t brk_sp;                            /* SP of the INT 21h a Ctrl-C abandoned */
    int exit_asked;                             /* its shell's EXIT (for the message) */
    int keep_screen;                            /* STARTed to run something: its end waits a key */
    char program[80];
};

static struct dosfs drive;
static MUTEXHANDLE lock;
static SEMHANDLE never;                         /* a VM that ended waits here to be destroyed */
static uint32_t cb_off;                         /* our pointer in each VM's control block */
#define STUBS   0x80u                           /* the stubs: at DOS_DATA_SEG:0080 in every VM */
#define BRK_STUB 0xE0u                          /* after INT 23h: call far <brk>; jmp far <INT 21h> */
#define BRK_REF  0x100u                         /* its call back's reference */
static uint32_t callbacks[NSTUBS], brk_callback;
static uint32_t vectors[NSTUBS];
static int creating;                            /* DOSMGR_Start_VM is making a VM */
static const char *start_program;
static const char *start_tail;                  /* ... its command tail (NULL: none) */
static uint32_t start_weight, start_id;         /* ... its weight; the ID VM_Init saw */
static int start_keep;                          /* ... for START: its screen kept at its end */
static unsigned ndos;                           /* DOS VMs there are */
static VMHANDLE start(VMHANDLE in, const char *program, const char *tail, uint32_t weight);

static struct dvm **slot(VMHANDLE vm) { return (struct dvm **)((uint8_t *)vm + cb_off); }
static uint8_t *vm_mem(VMHANDLE vm) { return (uint8_t *)((struct cb_s *)vm)->CB_High_Linear; }
static unsigned vmid(VMHANDLE vm) { return ((struct cb_s *)vm)->CB_VMID; }
/* The end of the VM's conventional memory: what DOSMGR reads or writes for a program lies
 * below it (adapter space, the BIOS's shared image and the HMA are not its to touch). */
static uint32_t conv_end(VMHANDLE vm) { return (Get_VM_Last_V86_Page(vm) + 1) << 12; }

static void *heap_alloc(size_t n) { return _HeapAllocate((uint32_t)n, 0); }
static void heap_free(void *p)
{
    if (p)
        _HeapFree(p, 0);
}

static uint32_t number(const char *s, uint32_t deflt, uint32_t max)
{
    uint32_t v = 0;
    if (!s || !*s)
        return deflt;
    for (; *s >= '0' && *s <= '9' && v <= max; s++)
        v = v * 10 + (uint32_t)(*s - '0');
    return *s || v > max ? deflt : v;
}

/* ---- the console: the VM's own BIOS, by nested execution ------------------------------------ */

/* INT n in the VM with AX, BX: what AX and the flags came back as.  The DOS mutex is let go
 * meanwhile (a key may be long in coming; other VMs use the drive). */
static uint32_t bios(uint8_t n, uint16_t ax, uint16_t bx, uint16_t cx, uint16_t dx,
                     uint32_t *flags, uint32_t *cxdx)
{
    uint8_t saved[CLIENT_STATE_SIZE];
    struct client_regs *r = Get_VM_Client(Get_Cur_VM_Handle());
    _LeaveMutex(lock);
    Save_Client_State(saved);
    Begin_Nest_V86_Exec();
    r->eax = ax;
    r->ebx = bx;
    r->ecx = cx;
    r->edx = dx;
    Exec_Int(n);
    uint32_t got = r->eax & 0xFFFF;
    if (flags)
        *flags = r->eflags;
    if (cxdx)
        *cxdx = (r->ecx & 0xFFFF) << 16 | (r->edx & 0xFFFF);
    End_Nest_Exec();
    Restore_Client_State(saved);
    _EnterMutex(lock, 0);
    return got;
}

static int con_in(void *ctx, int wait)
{
    struct dvm *v = ctx;
    if (v->scan >= 0) {
        int s = v->scan;
        v->scan = -1;
        return s;
    }
    uint32_t fl;
    if (!wait) {
        bios(0x16, 0x0100, 0, 0, 0, &fl, 0);
        if (fl & 0x40)                                  /* ZF: none */
            return -1;
    }
    uint32_t k = bios(0x16, 0x0000, 0, 0, 0, 0, 0);
    uint8_t c = (uint8_t)k;
    if ((k & 0xFFFF) == 0)
        return 3;                                       /* Ctrl+Break's 0000h: DOS's ^C */
    if (c == 0 || c == 0xE0)
        v->scan = (int)(k >> 8);
    return c;
}

static void con_out(void *ctx, const uint8_t *s, uint32_t n)
{
    struct dvm *v = ctx;
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] == '\t') {                             /* CON expands tabs, the BIOS does not */
            uint8_t *m = vm_mem(v->vm);
            uint8_t page = m[0x462], col = m[0x450 + page * 2];
            do
                bios(0x10, 0x0E20, page, 0, 0, 0, 0);
            while (++col % 8);
            continue;
        }
        bios(0x10, (uint16_t)(0x0E00 | s[i]), vm_mem(v->vm)[0x462] << 8 | 7, 0, 0, 0, 0);
    }
}

static uint8_t unbcd(uint8_t b) { return (uint8_t)((b >> 4) * 10 + (b & 15)); }
static void now(void *ctx, struct dos_time *t)
{
    (void)ctx;
    uint32_t fl, time = 0, date = 0;
    bios(0x1A, 0x0200, 0, 0, 0, &fl, &time);            /* CH:CL:DH h m s in BCD */
    bios(0x1A, 0x0400, 0, 0, 0, &fl, &date);            /* CX year, DH:DL month day */
    t->hour = unbcd((uint8_t)(time >> 24));
    t->min = unbcd((uint8_t)(time >> 16));
    t->sec = unbcd((uint8_t)(time >> 8));
    t->hundredths = 0;
    t->year = (uint16_t)(unbcd((uint8_t)(date >> 24)) * 100 + unbcd((uint8_t)(date >> 16)));
    t->month = unbcd((uint8_t)(date >> 8));
    t->day = unbcd((uint8_t)date);
}

static void say(void *ctx, const char *msg)
{
    struct dvm *v = ctx;
    printf("%s (VM %u)\n", msg, vmid(v->vm));
}

/* A Ctrl-C abandoned an INT 21h (r: its registers again, at the stub's IRET): the program's
 * INT 23h, whose return comes to BRK_STUB (below), then to the INT 21h stub -- the call again. */
static void ctrl_c(void *ctx, struct client_regs *r)
{
    struct dvm *v = ctx;
    v->brk_sp = (uint16_t)r->esp;
    r->cs = DOS_DATA_SEG;
    r->eip = BRK_STUB;
    Simulate_Int(0x23);
}

/* ---- the VM's end ---------------------------------------------------------------------------- */

static void end_vm(void *ref) { Destroy_VM((VMHANDLE)(uintptr_t)ref); }

__attribute__((noreturn)) static void ended(struct dvm *v)
{
    uint16_t code = v->dos.exit_code;
    if (v->keep_screen) {               /* as Windows 95's "Finished": what it showed stays */
        static const char msg[] = "\r\n[Finished: press a key to close this VM]";
        con_out(v, (const uint8_t *)msg, sizeof msg - 1);
        con_in(v, 1);
        v->scan = -1;
    }
    int sys = v->vm == Get_Sys_VM_Handle();
    printf("DOSMGR: VM %u: %s ended (exit code %u%s); the %s ends\n", vmid(v->vm), v->program,
           code & 0xFF, code >> 8 == 1 ? ", Ctrl-C" : code >> 8 == 3 ? ", resident" : "",
           sys ? "system" : "VM");
    _LeaveMutex(lock);
    if (!sys)
        Schedule_Global_Event(end_vm, (void *)(uintptr_t)v->vm);
    else                                /* as Windows 95's shell: its end is the system's */
        Exit_System(v->exit_asked ? "EXIT in the system VM's shell" : "the system VM's "
                    "program ended");
    for (;;)
        Wait_Semaphore(never, 0);
}

/* ---- INT 20h-2Fh ----------------------------------------------------------------------------- */

static void service(VMHANDLE vm, void *ref, struct client_regs *r)
{
    unsigned n = (unsigned)(uintptr_t)ref;
    struct dvm *v = *slot(vm);
    if (!v) {                                           /* not a DOS VM: nothing answers */
        r->eflags |= CF;
        return;
    }
    _EnterMutex(lock, 0);
    switch (n) {
    case 0x20:
        dos_int20(&v->dos, r);
        break;
    case 0x21:
        dos_int21(&v->dos, r);
        break;
    case 0x27:
        dos_int27(&v->dos, r);
        break;
    case 0x28:                                          /* DOS idle: the rest of the slice */
        _LeaveMutex(lock);
        Release_Time_Slice();
        _EnterMutex(lock, 0);
        break;
    case 0x2F:
        if ((r->eax & 0xFFFF) == 0x1680) {              /* release the time slice */
            _LeaveMutex(lock);
            Release_Time_Slice();
            _EnterMutex(lock, 0);
            r->eax &= 0xFFFFFF00u;
        }
        break;
    case 0x22:                                          /* terminate address: none set */
    case 0x23:                                          /* Ctrl-C: the program ends */
        dos_ctrl_c_end(&v->dos, r);
        break;
    case BRK_REF:                                       /* back from a Ctrl-C's INT 23h */
        if ((uint16_t)r->esp == (uint16_t)(v->brk_sp - 2)) {
            if (r->eflags & CF) {                       /* RETF with CF set: the program ends */
                dos_ctrl_c_end(&v->dos, r);
                break;
            }
            r->esp = (r->esp & 0xFFFF0000u) | v->brk_sp;    /* RETF: the FLAGS it left */
        }
        break;                                          /* IRET (or CF clear): the call again */
    case 0x24:                                          /* critical error: fail the call */
        r->eax = (r->eax & 0xFFFFFF00u) | 3;
        break;
    default:
        break;
    }
    if (v->dos.ended)
        ended(v);
    /* the flags the call left, into the FLAGS image the stub's IRET takes */
    uint32_t f = (r->ss & 0xFFFF) * 16 + ((r->esp + 4) & 0xFFFF);
    if (f + 2 <= conv_end(vm)) {
        uint8_t *p = vm_mem(vm) + f;
        uint16_t w = (uint16_t)(p[0] | p[1] << 8);
        w = (uint16_t)((w & ~ARITH) | (r->eflags & ARITH));
        p[0] = (uint8_t)w;
        p[1] = (uint8_t)(w >> 8);
    }
    _LeaveMutex(lock);
}

/* ---- VMs ------------------------------------------------------------------------------------- */

static const char *const env =
    "COMSPEC=C:\\COMMAND.COM\0PATH=C:\\\0PROMPT=$P$G\0";

static int vm_init(VMHANDLE vm)
{
    struct dvm *v = _HeapAllocate(sizeof *v, HEAPZEROINIT);
    if (!v) {
        printf("DOSMGR: VM %u: no memory for its DOS\n", vmid(vm));
        return 1;
    }
    v->vm = vm;
    v->scan = -1;
    v->keep_screen = start_keep;
    uint32_t i = 0;
    for (const char *s = start_program; *s && i + 1 < sizeof v->program; s++)
        v->program[i++] = *s;
    uint8_t *m = vm_mem(vm);
    uint16_t kb = (uint16_t)(m[0x413] | m[0x414] << 8);         /* the BIOS's memory size */
    struct dos_io io = { v, con_in, con_out, now, say, ctrl_c };
    if (dos_init(&v->dos, m, &drive, &io, (uint16_t)(_GetFirstV86Page() << 8),
                 (uint16_t)(kb * 64u), env, vectors)) {
        printf("DOSMGR: VM %u: %u KB of conventional memory is too little for DOS\n", vmid(vm),
               kb);
        _HeapFree(v, 0);
        return 1;
    }
    for (unsigned i = 0; i < NSTUBS; i++) {             /* call far <call back>; iret */
        uint8_t *st = m + DOS_DATA_SEG * 16 + STUBS + i * 6;
        st[0] = 0x9A;
        for (int k = 0; k < 4; k++)
            st[1 + k] = (uint8_t)(callbacks[i] >> (8 * k));
        st[5] = 0xCF;
    }
    uint8_t *b = m + DOS_DATA_SEG * 16 + BRK_STUB;
    b[0] = 0x9A;
    b[5] = 0xEA;                                        /* jmp far DOS_DATA_SEG:<INT 21h stub> */
    for (int k = 0; k < 4; k++) {
        b[1 + k] = (uint8_t)(brk_callback >> (8 * k));
        b[6 + k] = (uint8_t)(vectors[1] >> (8 * k));
    }
    *slot(vm) = v;
    ndos++;
    /* Here, not after Create_V86_VM returns: by then the VM's thread may have run its program,
     * crashed, the VM ended and its handle been reused.  As a PIF's defaults: the weight given
     * with the focus, half of it behind (the system VM's is WinTimeSlice='s). */
    if (vm != Get_Sys_VM_Handle())
        Set_VM_Time_Slice_Priority(vm, start_weight, start_weight > 1 ? start_weight / 2 : 1);
    start_id = vmid(vm);
    printf("DOSMGR: VM %u runs %s%s%s\n", start_id, start_program, start_tail ? " with" : "",
           start_tail ? start_tail : "");
    return 0;
}

/* The next DOS VM after vm (around the VM list), or 0 if vm is the only one. */
static VMHANDLE next_dos_vm(VMHANDLE vm)
{
    for (VMHANDLE n = Get_Next_VM_Handle(vm); n && n != vm; n = Get_Next_VM_Handle(n))
        if (*slot(n))
            return n;
    return 0;
}

static void vm_gone(VMHANDLE vm)
{
    struct dvm *v = *slot(vm);
    if (!v)
        return;
    if (Get_Execution_Focus() == vm && vm != Get_Sys_VM_Handle()) {     /* to the next */
        VMHANDLE n = next_dos_vm(vm);
        if (n)
            Set_Execution_Focus(n);
    }
    _EnterMutex(lock, 0);
    dos_close_all(&v->dos);
    _LeaveMutex(lock);
    *slot(vm) = 0;
    _HeapFree(v, 0);
    ndos--;
}

/* A VM's end by a crash: which program did it, on the console (the VMM's report above said
 * what) and on the screen, with what the VMM found (VDD's message screen, 8 s). */
#define CRASH_MSG_MS 8000u
static void vm_crashed(VMHANDLE vm)
{
    struct dvm *v = *slot(vm);
    if (!v)
        return;
    const char *p = dos_program(&v->dos), *why = Get_VM_Crash_Report(vm);
    p = *p ? p : v->program;
    printf("DOSMGR: VM %u was running %s when it crashed\n", vmid(vm), p);
    if (!Get_DDB(VDD_DEVICE_ID, 0))
        return;
    int sys = vm == Get_Sys_VM_Handle(), shell = 0;
    if (sys) {                                  /* what SHELL does next */
        uint32_t dir, node;
        char name[11];
        _EnterMutex(lock, 0);
        shell = !dosfs_resolve(&drive, DOSFS_ROOT, "C:\\COMMAND.COM", 0, &dir, name, &node);
        _LeaveMutex(lock);
    }
    char title[VMM_SPRINTF_MAX], text[VMM_SPRINTF_MAX];
    _Sprintf(title, sys ? "The system VM (VM %u) had a crash" : "VM %u has crashed", vmid(vm));
    _Sprintf(text, "%s crashed: %.200s.\n\n%s; the other VMs go on.", p,
             *why ? why : "a virtual device ended it (the console says why)",
             !sys ? "The VM has been ended" : shell ? "The system VM gets a new command shell"
             : "The system VM runs nothing now (drive C: has no COMMAND.COM)");
    VDD_Show_Message(title, text, CRASH_MSG_MS);
}

/* A VM started for a V86 API call, from a global event (not from the calling VM's thread). */
struct start_req { char program[128]; char tail[128]; };

/* START runs a program (or COMMAND /C): the VM it ends in keeps its screen till a key. */
static int runs_something(const struct start_req *q)
{
    const char *b = q->program, *t = q->tail;
    size_t n = 0;
    for (const char *s = q->program; *s; s++)
        if (*s == '\\' || *s == ':')
            b = s + 1;
    while (b[n])
        n++;
    if (!ascii_ieq(b, n, "COMMAND.COM"))
        return 1;                                       /* not the shell */
    while (*t == ' ')
        t++;
    return t[0] == '/' && (t[1] == 'C' || t[1] == 'c');
}

static void start_event(void *ref)
{
    struct start_req *q = ref;
    start_keep = runs_something(q);
    VMHANDLE n = start(0, q->program, q->tail[0] ? q->tail : 0, 100);
    start_keep = 0;
    if (n)
        Set_Execution_Focus(n);
    _HeapFree(q, 0);
}

/* The V86 API (INT 2Fh AX=1684h BX=0015h, then a far call): AH=00h the version in AX; AH=01h a
 * new VM running the command line at DS:DX (a program and its tail; ASCIIZ), given the focus as
 * soon as it exists (a line on the console if it cannot be made); AH=02h the user typed EXIT in
 * the VM's top shell, which ends now (the system VM's: the system ends).  CF on failure. */
static void v86_api(VMHANDLE vm, struct client_regs *r)
{
    uint8_t ah = (uint8_t)(r->eax >> 8);
    r->eflags |= CF;
    if (ah == 0) {
        r->eax = (r->eax & 0xFFFF0000u) | 0x0100;
        r->eflags &= ~CF;
    } else if (ah == 2 && *slot(vm)) {
        (*slot(vm))->exit_asked = 1;
        r->eflags &= ~CF;
    } else if (ah == 1) {
        char line[128], *tail = 0;
        uint32_t a = (r->ds & 0xFFFF) * 16 + (r->edx & 0xFFFF), i = 0;
        const uint8_t *m = vm_mem(vm);
        uint32_t end = conv_end(vm);
        for (; i < sizeof line - 1 && a + i < end && m[a + i]; i++)
            line[i] = (char)m[a + i];
        line[i] = 0;
        for (i = 0; line[i]; i++)
            if (line[i] == ' ') {
                line[i] = 0;
                tail = line + i + 1;
                break;
            }
        struct start_req *q = _HeapAllocate(sizeof *q, HEAPZEROINIT);
        if (!q)
            return;
        for (i = 0; line[i]; i++)
            q->program[i] = line[i];
        if (tail && *tail) {                            /* DOS's tails start with a blank */
            q->tail[0] = ' ';
            for (i = 0; tail[i] && i + 2 < sizeof q->tail; i++)
                q->tail[i + 1] = tail[i];
        }
        Schedule_Global_Event(start_event, q);
        r->eax &= 0xFFFF0000u;
        r->eflags &= ~CF;
    }
}

/* program (tail) in a new VM (in: 0) or in the system VM, which runs no V86 code (in: it). */
static VMHANDLE start(VMHANDLE in, const char *program, const char *tail, uint32_t weight)
{
    const char *svc = in ? "DOSMGR_Start_Sys_VM" : "DOSMGR_Start_VM";
    uint32_t size = (uint32_t)(_binary_boot_bin_end - _binary_boot_bin_start);
    uint8_t image[0x400];
    uint32_t plen = 0, tlen = 0;
    while (program && program[plen])
        plen++;
    while (tail && tail[tlen])
        tlen++;
    if (!program || !plen || plen > 0x7F || tlen > 126 || size != sizeof image) {
        printf("%s: a program path of 1..127 characters and a tail of at most 126, please "
               "(\"%s\")\n", svc, program ? program : "(none)");
        return 0;
    }
    uint32_t dir, node;
    char name[11];
    _EnterMutex(lock, 0);
    int err = dosfs_resolve(&drive, DOSFS_ROOT, program, 0, &dir, name, &node);
    const struct dosfs_node *n = err ? 0 : dosfs_node(&drive, node);
    int is_file = n && !(n->attr & DOSFS_ATTR_DIR);
    _LeaveMutex(lock);
    if (!is_file) {
        printf("%s: %s is not a file on drive C: (the boot partition); %s\n", svc, program,
               in ? "nothing started" : "no VM");
        return 0;
    }
    for (uint32_t i = 0; i < size; i++)
        image[i] = _binary_boot_bin_start[i];
    for (uint32_t i = 0; i < plen; i++)
        image[0x100 + i] = (uint8_t)program[i];
    image[0x100 + plen] = 0;
    image[0x80] = (uint8_t)tlen;
    for (uint32_t i = 0; i < tlen; i++)
        image[0x81 + i] = (uint8_t)tail[i];
    image[0x81 + tlen] = 0x0D;
    struct v86_start st = { image, size, DOS_BOOT_SEG, DOS_BOOT_SEG, 0, DOS_BOOT_SEG, 0x400,
                            weight };
    start_program = program;
    start_tail = tlen ? tail : 0;
    start_weight = weight;
    if (in) {                                   /* its VM_Init was long ago: DOS set up here */
        if (vm_init(in))
            return 0;
        if (!Create_V86_Thread(in, &st)) {
            vm_gone(in);
            return 0;
        }
        return in;
    }
    creating = 1;
    VMHANDLE vm = Create_V86_VM(&st);
    creating = 0;
    /* Its thread may have run already: the program ended, the VM with it, and the handle may
     * even be another VM's now.  A handle is given only while it is still the VM made. */
    return vm && Validate_VM_Handle(vm) && vmid(vm) == start_id ? vm : 0;
}

/* ---- initialisation -------------------------------------------------------------------------- */

static int init(void)
{
    static const struct dosfs_mem mem = { heap_alloc, heap_free };
    uint64_t limit = (uint64_t)number(Get_Profile_String("DOS", "WriteLimitKB", 0),
                                      WRITE_LIMIT_KB_DEFAULT, 1u << 20) << 10;
    uint32_t size;
    const void *blk = VMM_Module_Map(DRIVEC_MODULE, &size);
    char why[96];
    if (!blk) {
        printf("DOSMGR: the loader handed over no drive C: (the boot partition's files); it is "
               "empty\n");
        dosfs_init_empty(&drive, limit, &mem);
    } else if (dosfs_init(&drive, blk, size, limit, &mem, why, sizeof why)) {
        printf("DOSMGR: drive C: from the loader is refused: %s; it is empty\n", why);
        dosfs_init_empty(&drive, limit, &mem);
    } else {
        const struct drivec_header *h = blk;
        printf("DOSMGR: drive C: is the boot partition, %u files and directories in %u KB%s; "
               "writes stay in memory until the machine restarts (up to %u KB)\n", h->count,
               size >> 10, h->skipped ? " (some left out, named by the loader)" : "",
               (uint32_t)(limit >> 10));
    }
    lock = _CreateMutex(0, 0);
    never = Create_Semaphore(0);
    cb_off = _Allocate_Device_CB_Area(sizeof(struct dvm *), 0);
    if (!lock || !never || !cb_off) {
        printf("DOSMGR: no mutex, semaphore or control-block area\n");
        return 1;
    }
    for (unsigned i = 0; i < NSTUBS; i++) {
        callbacks[i] = Allocate_V86_Call_Back((void *)(uintptr_t)(0x20 + i), service);
        if (!callbacks[i]) {
            printf("DOSMGR: no V86 call back left for INT %02xh\n", 0x20 + i);
            return 1;
        }
        vectors[i] = DOS_DATA_SEG << 16 | (STUBS + i * 6);
    }
    brk_callback = Allocate_V86_Call_Back((void *)(uintptr_t)BRK_REF, service);
    if (!brk_callback) {
        printf("DOSMGR: no V86 call back left for Ctrl-C\n");
        return 1;
    }
    return 0;
}

extern struct VxD_Desc_Block DOSMGR_DDB;

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    switch (msg) {
    case SYS_CRITICAL_INIT:
        DOSMGR_DDB.DDB_V86_API_Proc = (uint32_t)v86_api;
        return 0;
    case DEVICE_INIT:
        return init();
    case VM_INIT:
        return creating ? vm_init((VMHANDLE)vm) : 0;
    case VM_NOT_EXECUTEABLE:
        if (arg & VNE_CRASHED)
            vm_crashed((VMHANDLE)vm);
        return 0;
    case VM_TERMINATE:
    case DESTROY_VM:
        vm_gone((VMHANDLE)vm);
        return 0;
    case VM_V86_RESET:                          /* the system VM's program crashed */
        vm_crashed((VMHANDLE)vm);
        vm_gone((VMHANDLE)vm);
        return 0;
    }
    return 0;
}

static uint32_t get_version(void) { return 0x0100; }
static VMHANDLE start_vm(const char *program, const char *tail, uint32_t weight)
{
    return start(0, program, tail, weight);
}
static VMHANDLE start_sys_vm(const char *program, const char *tail)
{
    return start(Get_Sys_VM_Handle(), program, tail, 100);
}

static uint32_t get_programs(VMHANDLE vm, char *buf, uint32_t cap)
{
    struct dvm *v = vm ? *slot(vm) : 0;
    if (!v || !buf || !cap)
        return 0;
    uint32_t o = 0;
    _EnterMutex(lock, 0);
    for (uint32_t i = 0; i < v->dos.nprocs; i++)
        for (const char *s = i ? " > " : "", *t = v->dos.procs[i].name; *s || *t; )
            if (o + 1 < cap)
                buf[o++] = *s ? *s++ : *t++;
            else
                s = t = "";
    _LeaveMutex(lock);
    buf[o] = 0;
    return 1;
}

static uint32_t services[DOSMGR_SERVICE_COUNT] = {
    [DOSMGR_Get_Version_Ord] = (uint32_t)get_version,
    [DOSMGR_Start_VM_Ord] = (uint32_t)start_vm,
    [DOSMGR_Get_Programs_Ord] = (uint32_t)get_programs,
    [DOSMGR_Start_Sys_VM_Ord] = (uint32_t)start_sys_vm,
};

DECLARE_VIRTUAL_DEVICE(DOSMGR_DDB, "DOSMGR  ", 4, 0, control, DOSMGR_DEVICE_ID, DOSMGR_INIT_ORDER,
                       services, DOSMGR_SERVICE_COUNT);
