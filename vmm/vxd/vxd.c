/* The VxD manager: see vxd/vxd.h, and include/vmm/vxd.h for the SDK side.
 *
 * A loaded VxD is a struct vxd on the heap (with its struct vxd_elf: the section and symbol
 * names the reports need point into the boot module, which stays mapped) and three page blocks:
 * text (mapped R X), rodata (R) and data (R W), all in the system arena.  The list is kept in
 * init order (Init_Order, then load order).  Loading goes through named stages; each undoes
 * itself on failure, and unload() undoes a whole load:
 *
 *   validate -> lay out -> allocate -> copy -> relocate -> protect -> register (the DDB)
 */
#include "boot/shipped.h"
#include "vxd/vxd.h"
#include "boot/acpi_load.h"
#include "vxd/vxdelf.h"
#include "vxd/guard.h"
#include "vxd/dynalink.h"
#include "vxd/services.h"
#include "vmm/vxd.h"
#include "vmm/vmmsvc.h"
#include "vmm/page.h"
#include "vmm/thread.h"
#include "vmm/vm.h"
#include "vmm/int.h"
#include "boot/modules.h"
#include "mem/physmap.h"
#include "boot/sysini.h"
#include "boot/symbols.h"
#include "console/console.h"
#include "int/fault.h"
#include "int/int.h"
#include "int/timer.h"
#include "mem/heapsvc.h"
#include "mem/page.h"
#include "mem/pmem.h"
#include "sched/sched.h"
#include "lib/ascii.h"
#include "lib/string.h"
#include "x86/trap.h"
#include "x86/x86.h"
#include "vmm.h"
#include <stdarg.h>

#define VXD_DIR    "VMM/VXD/"
#define CALL_MS    2000                 /* a control procedure's time for one message */

struct vxd {
    struct vxd *next;                   /* in init order */
    char file[24];                      /* "SAMPLE.VXD" */
    unsigned seq;                       /* load order */
    struct VxD_Desc_Block *ddb;
    uint8_t dynamic;                    /* loaded by VXDLDR_LoadDevice: may be unloaded */
    uint8_t doomed;                     /* unloaded while busy: freed when its last call returns */
    uint8_t failed;                     /* a call into it abandoned: to be unloaded (by an event) */
    uint32_t busy;                      /* control calls into it running (nested) */
    uint32_t hmem[VXD_NGROUPS], addr[VXD_NGROUPS], npages[VXD_NGROUPS];
    struct vxd_elf elf;
};

static struct vxd *vxds;                /* in init order */
static unsigned nvxd, seq;

static const char *const msg_names[] = {
    "Sys_Critical_Init", "Device_Init", "Init_Complete", "Sys_VM_Init", "Sys_VM_Terminate",
    "System_Exit", "Sys_Critical_Exit",
};

static const char *const vm_msg_names[] = {
    "Create_VM", "VM_Critical_Init", "VM_Init", "VM_Terminate", "VM_Not_Executeable",
    "Destroy_VM", "VM_Suspend", "VM_Resume",
};
static const char *const thread_msg_names[] = {
    "Create_Thread", "Thread_Init", "Terminate_Thread", "Thread_Not_Executeable",
    "Destroy_Thread",
};

static const char *msg_name(uint32_t msg)
{
    if (msg < sizeof msg_names / sizeof msg_names[0])
        return msg_names[msg];
    if (msg - CREATE_VM <= VM_RESUME - CREATE_VM)
        return vm_msg_names[msg - CREATE_VM];
    if (msg - CREATE_THREAD <= DESTROY_THREAD - CREATE_THREAD)
        return thread_msg_names[msg - CREATE_THREAD];
    return msg == SYS_DYNAMIC_DEVICE_INIT ? "Sys_Dynamic_Device_Init"
         : msg == SYS_DYNAMIC_DEVICE_EXIT ? "Sys_Dynamic_Device_Exit" : "control message";
}

/* ---- where an address is ------------------------------------------------------------------ */

/* The VxD whose pages hold lin, and which of them (VXD_G_*) in *group if group is not NULL. */
static struct vxd *vxd_in(uint32_t lin, unsigned *group)
{
    for (struct vxd *v = vxds; v; v = v->next)
        for (unsigned g = 0; g < VXD_NGROUPS; g++)
            if (v->npages[g] && lin - v->addr[g] < v->npages[g] << 12) {
                if (group)
                    *group = g;
                return v;
            }
    return 0;
}

static struct vxd *vxd_at(uint32_t lin) { return vxd_in(lin, 0); }

/* The symbol source registered with boot/symbols.c: the VxD and symbol holding addr (module =
 * the VxD's file), or its section and offset when no symbol precedes it. */
static int vxd_symbol(uint32_t addr, struct sym_loc *out)
{
    unsigned group;
    struct vxd *v = vxd_in(addr, &group);
    const char *sec;
    if (!v)
        return 0;
    out->module = v->file;
    out->code = group == VXD_G_TEXT;
    if (vxd_sym_near(&v->elf, v->addr, addr, &out->name, &out->offset) == 0)
        return 1;
    if (vxd_where(&v->elf, v->addr, addr, &sec, &out->offset) == 0) {
        out->name = sec;
        return 1;
    }
    return 0;
}

/* "SAMPLE.VXD .text+0x12", "VMM32.VXD vmm_main+0x40" or the bare address, into buf. */
static const char *where(uint32_t lin, char *buf, size_t n)
{
    const char *sec;
    uint32_t off;
    struct vxd *v = vxd_at(lin);
    if (v && vxd_where(&v->elf, v->addr, lin, &sec, &off) == 0)
        ksnprintf(buf, n, "%s %s+0x%x", v->file, sec, off);
    else
        symbols_where(lin, buf, n);
    return buf;
}

/* ---- loading -------------------------------------------------------------------------------- */

static uint32_t timer_period_us(void) { return timer.hz ? 1000000u / timer.hz : 0; }

/* The DEBUG device's listings (vxd/debug): 1 if what is one of them. */
static int debug_dump(const char *what)
{
    INTS_OFF();
    int ok = 1;
    if (!strcmp(what, "vm") || !strcmp(what, "t"))
        thread_print_summary();
    else if (!strcmp(what, "vxd")) {
        kprintf("vxd: %u devices\n", nvxd);
        vxd_print_list();
    } else if (!strcmp(what, "heap"))
        kprintf("heap: %u bytes in %u blocks in use; %u pools, %u bytes\n",
                (unsigned)sys_heap.used_bytes, (unsigned)sys_heap.used_blocks,
                (unsigned)sys_heap.npools, (unsigned)sys_heap.pool_bytes);
    else if (!strcmp(what, "mem")) {
        page_print_summary();
        pmem_print_summary();
    } else
        ok = 0;
    return ok;
}

/* What a VxD may link against directly (besides the dynalink): what gcc may call by itself,
 * and, under VMM_ names, the VMM's code behind the default VPICD and VTD devices' services. */
static const struct { const char *name; void *addr; } exports[] = {
    { "memcpy", (void *)memcpy }, { "memmove", (void *)memmove }, { "memset", (void *)memset },
    { "memcmp", (void *)memcmp }, { "strlen", (void *)strlen },
    { "VMM_VPICD_Virtualize_IRQ", (void *)VPICD_Virtualize_IRQ },
    { "VMM_VPICD_Force_Default_Behavior", (void *)VPICD_Force_Default_Behavior },
    { "VMM_VPICD_Phys_EOI", (void *)VPICD_Phys_EOI },
    { "VMM_VPICD_Physically_Mask", (void *)VPICD_Physically_Mask },
    { "VMM_VPICD_Physically_Unmask", (void *)VPICD_Physically_Unmask },
    { "VMM_VPICD_Get_Complete_Status", (void *)VPICD_Get_Complete_Status },
    { "VMM_VPICD_Set_Int_Request", (void *)VPICD_Set_Int_Request },
    { "VMM_VPICD_Clear_Int_Request", (void *)VPICD_Clear_Int_Request },
    { "VMM_VPICD_Install_Virtual_PIC", (void *)VPICD_Install_Virtual_PIC },
    { "VMM_VPICD_Set_VM_Intr", (void *)VPICD_Set_VM_Intr },
    { "VMM_VPICD_Virtual_EOI", (void *)VPICD_Virtual_EOI },
    { "VMM_Get_Clock_NS", (void *)Get_Clock_NS },
    { "VMM_Has_8042", (void *)acpi_has_8042 },
    { "VMM_Screen_Take", (void *)console_screen_take },
    { "VMM_Screen_Give", (void *)console_screen_give },
    { "VMM_Serial_Write", (void *)console_serial_write },
    { "VMM_Module_Map", (void *)module_map_writable },
    { "VMM_Font_CP437", (void *)console_font_cp437 },
    { "VMM_Timer_Period_US", (void *)timer_period_us },
    { "VMM_Debug_Dump", (void *)debug_dump },
};

/* The VMM's own code (a service table may point there: VPICD's, VTD's). */
static int in_vmm_text(uint32_t lin)
{
    extern const char __vmm_start[], __text_end[];
    return lin - (uint32_t)__vmm_start < (uint32_t)(__text_end - __vmm_start);
}

static int resolve(const char *sym, uint32_t *addr, void *ctx)
{
    (void)ctx;
    for (unsigned i = 0; i < sizeof exports / sizeof exports[0]; i++)
        if (!strcmp(sym, exports[i].name)) {
            *addr = (uint32_t)exports[i].addr;
            return 0;
        }
    return -1;
}

static void free_groups(struct vxd *v)
{
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        if (v->hmem[g]) {
            page_protect(v->addr[g], v->npages[g], 1, 0);   /* as _PageAllocate made them */
            _PageFree(v->hmem[g], 0);
            v->hmem[g] = 0;
            v->npages[g] = 0;
        }
}

static int allocate(struct vxd *v, struct kerr *e)
{
    for (unsigned g = 0; g < VXD_NGROUPS; g++) {
        uint32_t n = (vxd_group_size(&v->elf, g) + 4095) >> 12;
        if (!n)
            continue;
        uint64_t r = _PageAllocate(n, PG_SYS, 0, 0, 0, 0, 0, PAGEFIXED);
        if (!PAGE_RET_LO(r)) {
            free_groups(v);
            return kerr_set(e, "%s: no memory for its %s (%u pages)", v->file,
                            vxd_group_name(g), n);
        }
        v->hmem[g] = PAGE_RET_LO(r);
        v->addr[g] = PAGE_RET_HI(r);
        v->npages[g] = n;
    }
    return 0;
}

/* W^X: text R X, rodata R, data R W (as allocated). */
static void protect(struct vxd *v)
{
    if (v->npages[VXD_G_TEXT])
        page_protect(v->addr[VXD_G_TEXT], v->npages[VXD_G_TEXT], 0, 1);
    if (v->npages[VXD_G_RODATA])
        page_protect(v->addr[VXD_G_RODATA], v->npages[VXD_G_RODATA], 0, 0);
}

/* [lin, lin + len) inside group g of v. */
static int in_group(const struct vxd *v, unsigned g, uint32_t lin, uint32_t len)
{
    uint32_t size = vxd_group_size(&v->elf, g);
    return size && lin - v->addr[g] < size && len <= size - (lin - v->addr[g]);
}

static int in_text(const struct vxd *v, uint32_t lin) { return in_group(v, VXD_G_TEXT, lin, 1); }

static struct vxd *by_id(uint32_t id)
{
    for (struct vxd *v = vxds; v; v = v->next)
        if (v->ddb->DDB_Req_Device_Number == id)
            return v;
    return 0;
}

/* The DDB's fields checked; the device joins the list in init order. */
static int register_ddb(struct vxd *v, struct kerr *e)
{
    struct VxD_Desc_Block *d = (struct VxD_Desc_Block *)vxd_ddb_addr(&v->elf, v->addr);
    uint32_t tab = d->DDB_Service_Table_Ptr, n = d->DDB_Service_Table_Size;
    struct vxd *dup;
    if (d->DDB_Size != sizeof *d)
        return kerr_set(e, "%s: DDB_Size is %u, not %u", v->file, d->DDB_Size, (unsigned)sizeof *d);
    if (d->DDB_SDK_Version > DDK_VERSION || d->DDB_SDK_Version < 0x0300)
        return kerr_set(e, "%s: DDB_SDK_Version %04x is not 0300h..0400h", v->file,
                        d->DDB_SDK_Version);
    for (unsigned i = 0; i < 8; i++)
        if (d->DDB_Name[i] < 0x20 || d->DDB_Name[i] > 0x7E)
            return kerr_set(e, "%s: DDB_Name is not 8 printable characters", v->file);
    if (!in_text(v, d->DDB_Control_Proc))
        return kerr_set(e, "%s: DDB_Control_Proc %08x is not in its code", v->file,
                        d->DDB_Control_Proc);
    if (n > 0x7FFF || (n && ((tab & 3) || !in_group(v, VXD_G_DATA, tab, 4 * n))))
        return kerr_set(e, "%s: service table %08x of %u entries is not in its writable data "
                        "(Hook_Device_Service writes it; no const)", v->file, tab, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t p = ((const uint32_t *)tab)[i];
        if (p && !in_text(v, p) && !in_vmm_text(p))
            return kerr_set(e, "%s: service %u at %08x is not in its code (or the VMM's)",
                            v->file, i, p);
    }
    if (d->DDB_Req_Device_Number == VMM_DEVICE_ID)
        return kerr_set(e, "%s: device ID 0001h is the VMM's", v->file);
    if (d->DDB_Req_Device_Number != UNDEFINED_DEVICE_ID &&
        (dup = by_id(d->DDB_Req_Device_Number)) != 0) {
        kerr_set(e, "%s: device ID %04xh is already %s's (%.8s); refused", v->file,
                 d->DDB_Req_Device_Number, dup->file, dup->ddb->DDB_Name);
        return -2;                      /* VXDLDR_ERR_DUPLICATE_DEVICE */
    }
    v->ddb = d;
    d->DDB_Flags &= ~(DDB_SYS_CRIT_INIT_DONE | DDB_DEVICE_INIT_DONE);
    struct vxd **pp = &vxds;
    while (*pp && (*pp)->ddb->DDB_Init_Order <= d->DDB_Init_Order)
        pp = &(*pp)->next;
    v->next = *pp;
    *pp = v;
    nvxd++;
    return 0;
}

/* For debuggers (make debug: tools/vxd-symbols.py): where each section of v went, on debugcon;
 * then vxd_symbols_changed, where the script's breakpoint picks it up. */
__attribute__((noinline, used)) void vxd_symbols_changed(void) { __asm__ volatile(""); }

static void announce_symbols(const struct vxd *v, const char *what)
{
    char line[480];
    if (!debugcon_present())
        return;
    int n = ksnprintf(line, sizeof line, "vxd-symbols: %s %s", what, v->file);
    uint32_t lin;
    const char *name;
    for (unsigned i = 0; i < v->elf.nsec && n < (int)sizeof line - 40; i++)
        if ((name = vxd_section(&v->elf, v->addr, i, &lin)) != 0)
            n += ksnprintf(line + n, sizeof line - n, " %.48s=0x%08x", name, lin);
    debugcon_printf("%s\n", line);
}

/* validate -> lay out -> allocate -> copy -> relocate -> protect -> register; NULL on failure
 * (reported, everything undone). */
static struct vxd *load(const char *file, const void *data, size_t size, uint32_t *err)
{
    struct kerr e;
    struct vxd *v = _HeapAllocate(sizeof *v, HEAPZEROINIT);
    *err = VXDLDR_ERR_OUT_OF_MEMORY;
    if (!v) {
        kprintf("vxd: %s: no memory to load it\n", file);
        return 0;
    }
    ksnprintf(v->file, sizeof v->file, "%s", file);
    v->seq = seq++;
    uint8_t *base[VXD_NGROUPS];
    *err = VXDLDR_ERR_BAD_DEVICE_FILE;
    if (size > 0x7FFFFFFF || vxd_validate(&v->elf, v->file, data, (uint32_t)size, &e) ||
        vxd_layout(&v->elf, &e))
        goto fail;
    *err = VXDLDR_ERR_OUT_OF_MEMORY;
    if (allocate(v, &e))
        goto fail;
    *err = VXDLDR_ERR_BAD_DEVICE_FILE;
    for (unsigned g = 0; g < VXD_NGROUPS; g++)
        base[g] = (uint8_t *)v->addr[g];
    vxd_copy(&v->elf, base);
    if (vxd_relocate(&v->elf, base, v->addr, resolve, 0, &e))
        goto fail_pages;
    protect(v);
    int r = register_ddb(v, &e);
    if (r) {
        *err = r == -2 ? VXDLDR_ERR_DUPLICATE_DEVICE : VXDLDR_ERR_BAD_DEVICE_FILE;
        goto fail_pages;
    }
    *err = 0;
    announce_symbols(v, "load");
    vxd_symbols_changed();
    return v;
fail_pages:
    free_groups(v);
fail:
    kprintf("vxd: %s; not loaded\n", e.msg);
    _HeapFree(v, 0);
    return 0;
}

/* The device's service-table slots no longer reachable (see unpatch), off the list, freed. */
static void unpatch(struct vxd *v);
static unsigned (*purge_above)(uint32_t lo, uint32_t hi);
void vxd_set_purge(unsigned (*fn)(uint32_t lo, uint32_t hi)) { purge_above = fn; }
static unsigned unhook_services(struct vxd *v);

/* Whatever of v's code the VMM could still call is taken out first: its handlers and hooks in
 * the VMM's tables, its events, its threads, its service hooks; the calls patched to it. */
static void purge(struct vxd *v)
{
    uint32_t lo = v->addr[VXD_G_TEXT], hi = lo + (v->npages[VXD_G_TEXT] << 12);
    if (!v->npages[VXD_G_TEXT])
        return;
    unhook_services(v);                 /* quietly: a dynamic device's own hooks, typically */
    unsigned n = int_purge(lo, hi) + page_purge_hooks(lo, hi) + event_purge(lo, hi) +
                 mutex_purge(lo, hi) + vm_purge_controls(lo, hi) + thread_purge(lo, hi) +
                 (purge_above ? purge_above(lo, hi) : 0);
    if (n)
        kprintf("vxd: %s: %u hooks, handlers, events or threads of its removed\n", v->file, n);
}

/* What v left behind when it goes: the heap blocks it allocated, the semaphores, mutexes and
 * lists it made (each destroyed as its service would), the page blocks it allocated or reserved
 * -- all found by the caller each was made for, an address in v's code.  What others still use
 * (a thread waits on the semaphore or owns the mutex, a VM maps the pages) is kept, nobody's. */
static void free_leftovers(struct vxd *v)
{
    uint32_t lo = v->addr[VXD_G_TEXT], hi = lo + (v->npages[VXD_G_TEXT] << 12);
    unsigned blocks = 0, objects = 0, kept = 0, pages;
    void *found[32];
    size_t n;
    if (!v->npages[VXD_G_TEXT])
        return;
    for (;;) {
        {
            INTS_OFF();
            n = heap_find_owned(&sys_heap, lo, hi, found, sizeof found / sizeof found[0]);
        }
        if (!n)
            break;
        for (size_t i = 0; i < n; i++) {
            int r = sem_release_left(found[i]);
            if (r < 0)
                r = mutex_release_left(found[i]);
            if (r < 0)
                r = list_release_left(found[i]);
            if (r > 0)
                objects++;
            else if (r < 0 && _HeapFree(found[i], 0))
                blocks++;
            else {                      /* in use (or, never seen, refused: not found again) */
                INTS_OFF();
                heap_disown(&sys_heap, found[i]);
                kept++;
            }
        }
    }
    pages = page_free_owned(lo, hi, &kept);
    if (blocks + objects + pages + kept)
        kprintf("vxd: %s: it left %u heap blocks, %u semaphores, mutexes or lists, %u page blocks: "
                "freed; %u kept (still in use)\n", v->file, blocks, objects, pages, kept);
}

static void release(struct vxd *v)
{
    free_leftovers(v);
    free_groups(v);
    _HeapFree(v, 0);
}

/* Off the list at once (no more messages or calls reach it); its memory goes now, or, if a
 * control call into it is still running further up the stack, when that returns. */
static void unload(struct vxd *v)
{
    purge(v);
    unpatch(v);
    announce_symbols(v, "unload");
    vxd_symbols_changed();
    for (struct vxd **pp = &vxds; *pp; pp = &(*pp)->next)
        if (*pp == v) {
            *pp = v->next;
            break;
        }
    nvxd--;
    if (v->busy)
        v->doomed = 1;
    else
        release(v);
}

/* Walking the list while messages load and unload devices: the device after (or before) the
 * key (init order, load order) of one that may be gone by now.  The list is sorted by it. */
static struct vxd *after(uint32_t order, unsigned seq)
{
    for (struct vxd *v = vxds; v; v = v->next)
        if (v->ddb->DDB_Init_Order > order || (v->ddb->DDB_Init_Order == order && v->seq > seq))
            return v;
    return 0;
}

static struct vxd *before(uint32_t order, unsigned seq)
{
    struct vxd *last = 0;
    for (struct vxd *v = vxds; v; v = v->next)
        if (v->ddb->DDB_Init_Order < order || (v->ddb->DDB_Init_Order == order && v->seq < seq))
            last = v;
    return last;
}

/* ---- control messages ----------------------------------------------------------------------- */

/* fn(a ... e), a procedure of v's, under guard g (its code, CALL_MS for a runaway; watched by
 * the NMI watchdog if `watch`), with v marked busy: the caller drops v->busy after, and frees v
 * if it was unloaded meanwhile. */
static uint32_t guarded(struct vxd *v, struct guard *g, int watch, void *fn, uint32_t a,
                        uint32_t b, uint32_t c, uint32_t d, uint32_t e)
{
    v->busy++;
    uint32_t lo = v->addr[VXD_G_TEXT];
    guard_enter(g, lo, lo + vxd_group_size(&v->elf, VXD_G_TEXT), CALL_MS, watch);
    uint32_t r = guard_call(g, (guard_fn)fn, a, b, c, d, e);
    guard_leave(g);
    return r;
}

/* Why a guarded call into v (its `what`: a message's name, "time-out procedure" ...) was
 * abandoned, then `then` ("abandoned", "unloaded"). */
static void report_abandoned(const char *file, const struct guard *g, const char *what,
                             const char *then)
{
    char at[96], from[64];
    struct sym_loc s;
    where(g->eip, at, sizeof at);
    /* EIP in nobody's code: most likely a call through a bad pointer; name who called. */
    if (g->vector != GUARD_RUNAWAY && !vxd_at(g->eip) && !symbols_lookup(g->eip, &s) &&
        g->caller && (vxd_at(g->caller) || symbols_lookup(g->caller, &s)))
        ksnprintf(at, sizeof at, "%08x (a call through a bad pointer? from %s)", g->eip,
                  where(g->caller, from, sizeof from));
    if (g->vector == GUARD_RUNAWAY)
        kprintf("vxd: %s: still running after %u ms in its %s, at %s; %s\n", file, CALL_MS,
                what, at, then);
    else if (g->vector == GUARD_STACK)
        kprintf("vxd: %s: its stack overflowed (a #DF) in its %s, at %s; %s\n", file, what, at,
                then);
    else if (g->vector == GUARD_BLOCKED)
        kprintf("vxd: %s: still blocked after %u ms in its %s, in a service it called at %s; %s\n",
                file, CALL_MS, what, at, then);
    else if (g->vector == VXD_DYNALINK_INT)
        kprintf("vxd: %s: a bad dynalink call in its %s (see above); %s\n", file, what, then);
    else if (g->vector == 14)
        kprintf("vxd: %s: fault 14 (%s) in its %s, at %s, address %08x; %s\n", file,
                trap_name(14), what, at, g->cr2, then);
    else
        kprintf("vxd: %s: fault %u (%s) in its %s, at %s; %s\n", file, g->vector,
                trap_name(g->vector), what, at, then);
}

/* Sends msg to v's control procedure under a guard: 0 it succeeded, 1 it failed (carry), -1 it
 * faulted or ran away (reported), -2 it was unloaded meanwhile (by a nested message). */
static int control(struct vxd *v, uint32_t msg, uint32_t vm, uint32_t arg)
{
    struct guard g;
    int r = (int)guarded(v, &g, 1, (void *)v->ddb->DDB_Control_Proc, msg, vm, arg, 0, 0);
    if (!--v->busy && v->doomed) {
        release(v);                     /* unloaded by a message it sent */
        return -2;
    }
    if (v->doomed)
        return -2;
    if (!g.abandoned)
        return r != 0;
    report_abandoned(v->file, &g, msg_name(msg), "abandoned");
    return -1;
}

/* An event or time-out procedure of a VxD (event_guard, for sched/event.c): called under a
 * guard, which also catches a runaway (2 s in its own code with interrupts on), not only a
 * fault; one that faults or runs away is reported and its VxD unloaded, the system goes on. */
static int guarded_proc(void *proc, uint32_t a, uint32_t b, const char *what)
{
    struct vxd *v = in_vmm_text((uint32_t)proc) ? 0 : vxd_at((uint32_t)proc);
    if (!v)                             /* the VMM's own (most are): no walk of the VxDs */
        return 0;
    struct guard g;
    guarded(v, &g, 0, proc, a, b, 0, 0, 0);
    int gone = v->doomed;
    if (!--v->busy && v->doomed)
        release(v);                     /* unloaded meanwhile, by something it called */
    else if (g.abandoned && !gone) {
        report_abandoned(v->file, &g, what, "unloaded");
        unload(v);
    }
    return 1;
}

/* A VxD a foreign_call into which faulted, unloaded at event time: the fault may have come in
 * an interrupt handler, or in the middle of a walk of a table the unload changes. */
static void unload_failed(void *ref)
{
    for (struct vxd *v = vxds; v; v = v->next)
        if (v == ref && v->failed) {
            unload(v);
            return;
        }
}

/* guard_init's foreign_failed: a fault (or a bad dynalink call) in a procedure of a VxD the VMM
 * called -- an event, a time-out, a hook, a handler, a call back, a thread ... -- reported once
 * with the file and the place; the VxD is unloaded by an event, the call abandoned. */
static void foreign_failed(void *fn, const char *what, uint32_t vec, const struct client_regs *r,
                           uint32_t caller)
{
    struct vxd *v = vxd_at((uint32_t)fn);
    if (v && v->failed)
        return;                         /* said already; its unload is on the way */
    const struct guard g = { .vector = vec, .eip = r->eip, .cr2 = vec == 14 ? read_cr2() : 0,
                             .caller = caller };
    report_abandoned(v ? v->file : "(no loaded VxD)", &g, what, v ? "unloaded" : "abandoned");
    if (!v) {
        char at[64];
        kprintf("vxd: (the %s called was at %s)\n", what, where((uint32_t)fn, at, sizeof at));
        return;
    }
    v->failed = 1;
    Schedule_Global_Event(unload_failed, v);
}

/* Sends msg to every device in init order; one that fails or faults is unloaded (may_fail:
 * the message may fail; else a failure is only reported). */
static void broadcast(uint32_t msg, int may_fail)
{
    for (struct vxd *v = vxds; v; ) {
        uint32_t order = v->ddb->DDB_Init_Order;
        unsigned sq = v->seq;
        int r = control(v, msg, Get_Sys_VM_Handle(), 0);
        if (r == -2) {
            v = after(order, sq);
            continue;
        }
        if (r == 1 && !may_fail)
            kprintf("vxd: %s (%.8s) failed %s\n", v->file, v->ddb->DDB_Name, msg_name(msg));
        if (r == 1 && may_fail)
            kprintf("vxd: %s (%.8s) failed %s; unloaded\n", v->file, v->ddb->DDB_Name,
                    msg_name(msg));
        if (r < 0 || (r == 1 && may_fail))
            unload(v);
        else if (msg == SYS_CRITICAL_INIT)
            v->ddb->DDB_Flags |= DDB_SYS_CRIT_INIT_DONE;
        else if (msg == DEVICE_INIT)
            v->ddb->DDB_Flags |= DDB_DEVICE_INIT_DONE;
        v = after(order, sq);
    }
}

/* The VM and thread messages of the scheduler (sched/vm.c), on to every VxD. */
static int vm_messages(uint32_t msg, VMHANDLE vm, uint32_t arg, void *ref)
{
    (void)ref;
    int failed = 0;
    for (struct vxd *v = vxds; v; ) {
        uint32_t order = v->ddb->DDB_Init_Order;
        unsigned sq = v->seq;
        int r = control(v, msg, vm, arg);
        if (r == -1)
            unload(v);
        failed |= r == 1 || r == -1;
        v = after(order, sq);
    }
    return failed;
}

uint32_t System_Control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    return (uint32_t)vm_messages(msg, vm, arg, 0);
}

uint32_t Directed_Sys_Control(struct VxD_Desc_Block *ddb, uint32_t msg, uint32_t vm, uint32_t arg)
{
    for (struct vxd *v = vxds; v; v = v->next)
        if (v->ddb == ddb) {
            int r = control(v, msg, vm, arg);
            if (r == -1)
                unload(v);
            return r != 0;
        }
    refused("Directed_Sys_Control", CALLER, "%08x is not a loaded device's DDB", (uint32_t)ddb);
    return 1;
}

/* ---- boot ----------------------------------------------------------------------------------- */

static int loaded(const char *file)
{
    for (struct vxd *v = vxds; v; v = v->next)
        if (ascii_ieq(file, strlen(file), v->file))
            return 1;
    return 0;
}

/* Why a file the loader handed over has no bytes to load (its KB, then the window's KB used). */
#define UNMAPPABLE "handed over (%u KB) but not mappable: the physical-mapping window is full " \
                   "(%u KB of it used)"

/* The boot module VMM/VXD/NAME for a VxD file name (len bytes, any case, plus suffix): the
 * upper-cased file name into file[24], and the file's bytes, or NULL if there is no such
 * (non-empty) module (*size 0) or it cannot be mapped (*size its size: UNMAPPABLE). */
static const void *vxd_file(const char *name, size_t len, const char *suffix, char file[24],
                            size_t *size)
{
    char path[40];
    ksnprintf(file, 24, "%.*s%s", (int)len, name, suffix);
    for (char *c = file; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c -= 32;
    ksnprintf(path, sizeof path, VXD_DIR "%s", file);
    return module_find(path, size);
}

/* One file of VMM/VXD by name ("SAMPLE.VXD", or the DDK's "*SAMPLE" for SAMPLE.VXD). */
/* line: SYSTEM.INI's device= line naming it; 0 when there is none and every file of VMM/VXD
 * loads, which the messages then say instead. */
static void load_named(const char *name, size_t len, unsigned line, void *ctx)
{
    (void)ctx;
    char file[24], from[64], shown[4 * 40 + 1];
    size_t size;
    int star = len && name[0] == '*';
    if (line)
        ksnprintf(from, sizeof from, "VMM/SYSTEM.INI:%u: device=", line);
    else
        ksnprintf(from, sizeof from, "%s (no device= line: every file): ", VXD_DIR);
    if (star) {
        name++;
        len--;
    }
    if (!len || len > 12 || (star && len > 8)) {
        kescape(shown, sizeof shown, name, len > 40 ? 40 : len);
        kprintf("%s%s%s is not a VxD file name; skipped\n", from, star ? "*" : "", shown);
        return;
    }
    const void *data = vxd_file(name, len, star ? ".VXD" : "", file, &size);
    kescape(shown, sizeof shown, file, strlen(file));
    if (loaded(file)) {
        kprintf("%s%s again; loaded once\n", from, shown);
        return;
    }
    if (!data) {
        if (size)
            kprintf("%s%s: " UNMAPPABLE "; skipped\n", from, shown, (unsigned)(size >> 10),
                    physmap_used() >> 10);
        else
            kprintf("%s%s: no such file in %s (or it is empty); skipped\n", from, shown, VXD_DIR);
        return;
    }
    uint32_t err;
    load(file, data, size, &err);
}

/* No device= line: every file of VMM/VXD -- the devices the system ships first, in this order
 * (so that a file dropped in beside them, which would come first in directory order, cannot take
 * one's device ID: it is the one refused, and the message names both), then the others. */
static const char *const shipped[SHIPPED_VXD_COUNT] = SHIPPED_VXDS;     /* boot/shipped.h */

static int is_shipped(const char *file)
{
    for (unsigned i = 0; i < sizeof shipped / sizeof shipped[0]; i++)
        if (ascii_ieq(file, strlen(file), shipped[i]))
            return 1;
    return 0;
}

static void load_all_files(void)
{
    const char *name;
    size_t n = strlen(VXD_DIR);
    char file[24];
    size_t size;
    for (unsigned i = 0; i < sizeof shipped / sizeof shipped[0]; i++)
        if (vxd_file(shipped[i], strlen(shipped[i]), "", file, &size) || size)
            load_named(shipped[i], strlen(shipped[i]), 0, 0);
    for (uint32_t i = 0; (name = module_name(i)) != 0; i++) {
        int sub = 0;
        for (const char *c = name + n; *c; c++)
            sub |= *c == '/';
        if (strlen(name) > n && ascii_ieq(name, n, VXD_DIR) && !sub && !is_shipped(name + n))
            load_named(name + n, strlen(name + n), 0, 0);
    }
}

/* ---- services and dynalink ------------------------------------------------------------------ */

uint32_t Get_VMM_Version(void) { return VMM_VERSION; }

/* With interrupts as the caller has them: the console keeps a line whole by holding off the
 * other threads, not interrupts (console/console.h), and drawing a line can take a million
 * instructions. */
void Out_Debug_String(const char *s) { kprintf("%s", s); }

void _Debug_Printf_Service(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    Out_Debug_String(buf);
}

uint32_t _Sprintf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, VMM_SPRINTF_MAX, fmt, ap);
    va_end(ap);
    return n < 0 ? 0 : n >= (int)VMM_SPRINTF_MAX ? VMM_SPRINTF_MAX - 1 : (uint32_t)n;
}

/* The slot a dynalink dword names, or NULL with why. */
static uint32_t *service_slot(uint32_t dword, const char **why)
{
    struct dynalink_call c = dynalink_decode(dword);
    uint32_t dev = c.device, svc = c.service;
    if (dev == VMM_DEVICE_ID && svc >= VMM32_EXT_FIRST) {
        if (svc - VMM32_EXT_FIRST >= vmm_ext_count)
            return *why = "past the end of VMM32's own services", (uint32_t *)0;
        return &vmm_ext_services[svc - VMM32_EXT_FIRST];
    }
    if (dev == VMM_DEVICE_ID) {
        if (svc >= VMM_SERVICE_COUNT)
            return *why = "past the end of the VMM's service table", (uint32_t *)0;
        if (!vmm_services[svc])
            return *why = "a service this VMM does not provide", (uint32_t *)0;
        return &vmm_services[svc];
    }
    if (dev == VXDLDR_DEVICE_ID) {
        if (svc >= VXDLDR_SERVICE_COUNT || !vxdldr_services[svc])
            return *why = "a VXDLDR service this VMM does not provide", (uint32_t *)0;
        return &vxdldr_services[svc];
    }
    struct vxd *v = dev == UNDEFINED_DEVICE_ID ? 0 : by_id(dev);
    if (!v)
        return *why = "a device that is not loaded", (uint32_t *)0;
    if (svc >= v->ddb->DDB_Service_Table_Size)
        return *why = "past the end of the device's service table", (uint32_t *)0;
    uint32_t *slot = (uint32_t *)v->ddb->DDB_Service_Table_Ptr + svc;
    if (!*slot)
        return *why = "an empty entry of the device's service table", (uint32_t *)0;
    return slot;
}

/* The sites patched to jump through a VxD's table (a VMM-wide list: unloading a device puts its
 * callers' stubs back to INT 20h, so a later call is reported, not run in freed memory). */
#define MAX_SITES 1024
static struct site { uint32_t lin, dword; } sites[MAX_SITES];
static unsigned nsites;

static int write_code(uint32_t lin, const uint8_t *bytes, unsigned n)
{
    INTS_OFF();                         /* page_alias_begin's rule: off until page_alias_end */
    uint8_t *p = page_alias_begin(lin);
    if (!p)
        return -1;
    for (unsigned i = 0; i < n; i++)
        p[i] = bytes[i];
    page_alias_end();
    return 0;
}

/* v goes: the sites patched to call it become INT 20h again; its own sites are forgotten
 * (their pages go with it). */
static void unpatch(struct vxd *v)
{
    uint32_t id = v->ddb->DDB_Req_Device_Number;
    for (unsigned i = 0; i < nsites;) {
        struct site *s = &sites[i];
        int inside = vxd_at(s->lin) == v, to_it = id && s->dword >> 16 == id;
        if (!inside && !to_it) {
            i++;
            continue;
        }
        if (!inside) {
            uint8_t stub[DYNALINK_SITE];
            dynalink_stub(stub, s->dword);
            write_code(s->lin, stub, DYNALINK_SITE);
        }
        *s = sites[--nsites];
    }
}

/* INT 20h: the caller's stub becomes jmp/call [slot], and runs again. */
static int dynalink(struct client_regs *r, void *ref)
{
    (void)ref;
    char at[64];
    uint32_t site = r->eip - 2, dword, ignored;
    const char *why = "not a dynalink call site";
    uint32_t *slot = 0;
    if (dynalink_parse((const uint8_t *)site, &dword, &ignored) == 0)
        slot = service_slot(dword, &why);
    else
        dword = 0;
    if (slot) {
        uint8_t patch[DYNALINK_SITE];
        dynalink_patch(patch, dword, (uint32_t)slot);
        if (write_code(site, patch, DYNALINK_SITE) == 0) {
            if (dword >> 16 != VMM_DEVICE_ID && nsites < MAX_SITES)
                sites[nsites++] = (struct site){ site, dword };
            r->eip = site;
            return 0;
        }
        why = "a call site that cannot be patched";
    }
    /* The jump form is the SDK's stub: the caller is the return address -- if that is code (an
     * inline `int 20h` of the jump form has none: name the site itself). */
    struct sym_loc ret_at;
    uint32_t ret = *(const uint32_t *)trap_ring0_esp(r);
    if ((dword & DYNALINK_JMP) && symbols_lookup(ret, &ret_at) && ret_at.code) {
        char via[64];
        kprintf("dynalink: %s (through %s) called device %04xh service %04xh: %s\n",
                where(ret, at, sizeof at), where(site, via, sizeof via), dword >> 16,
                dword & 0x7FFF, why);
    } else
        kprintf("dynalink: %s called device %04xh service %04xh: %s\n",
                where(site, at, sizeof at), dword >> 16, dword & 0x7FFF, why);
    if (guard_abandon(r, VXD_DYNALINK_INT))
        return 0;
    trap_fatal(VXD_DYNALINK_INT, r, trap_ring0_esp(r));
}

struct VxD_Desc_Block *Get_DDB(uint32_t device_id, const char *name)
{
    for (struct vxd *v = vxds; v; v = v->next) {
        if (device_id && v->ddb->DDB_Req_Device_Number == device_id)
            return v->ddb;
        if (!device_id && name) {
            size_t n = strnlen(name, 8);
            int same = 1;
            for (size_t i = 0; i < 8 && same; i++) {
                char c = i < n ? name[i] : ' ';
                same = ascii_lower(c) == ascii_lower(v->ddb->DDB_Name[i]);
            }
            if (same)
                return v->ddb;
        }
    }
    return 0;
}

/* Hooked services: what each hook replaced, so that the head of a chain can be unhooked. */
#define MAX_SVC_HOOKS 64
static struct svc_hook { uint32_t *slot, proc, prev; } svc_hooks[MAX_SVC_HOOKS];
static unsigned nsvc_hooks;

void *Hook_Device_Service(uint32_t service, void *proc)
{
    const char *why = "64 hooks already";
    INTS_OFF();
    uint32_t *slot = service_slot(service, &why), old = 0;
    if (slot && proc && nsvc_hooks < MAX_SVC_HOOKS) {
        old = *slot;
        *slot = (uint32_t)proc;
        svc_hooks[nsvc_hooks++] = (struct svc_hook){ slot, (uint32_t)proc, old };
    } else
        refused("Hook_Device_Service", CALLER, "service %08x: %s", service,
                proc ? why : "no procedure");
    return (void *)old;
}

uint32_t Unhook_Device_Service(uint32_t service, void *proc)
{
    const char *why;
    INTS_OFF();
    uint32_t ok = 0;
    uint32_t *slot = service_slot(service, &why);
    for (unsigned i = nsvc_hooks; slot && i-- > 0;)
        if (svc_hooks[i].slot == slot && svc_hooks[i].proc == (uint32_t)proc &&
            *slot == (uint32_t)proc) {
            *slot = svc_hooks[i].prev;
            svc_hooks[i] = svc_hooks[--nsvc_hooks];
            ok = 1;
            break;
        }
    if (!ok)
        refused("Unhook_Device_Service", CALLER, "%08x is not the last hook of service %08x",
                (uint32_t)proc, service);
    return ok;
}

/* ---- VXDLDR (device 27h): dynamic VxDs, built into the VMM as in Windows 95 ----------------- */

uint32_t VXDLDR_GetVersion(void) { return VXDLDR_VERSION; }

uint32_t VXDLDR_LoadDevice(const char *name, uint32_t flags, struct VxD_Desc_Block **ddb)
{
    char file[24];
    size_t size, n = name ? strnlen(name, 13) : 0;
    uint32_t err = VXDLDR_ERR_FILE_OPEN_ERROR;
    if (ddb)
        *ddb = 0;
    if (!n || n > 12) {
        refused("VXDLDR_LoadDevice", CALLER, "not a VxD file name");
        return VXDLDR_ERR_FILE_OPEN_ERROR;
    }
    const void *data = vxd_file(name, n, "", file, &size);
    struct vxd *v = 0;
    if (!data && size)
        kprintf("VXDLDR_LoadDevice: %s: " UNMAPPABLE "\n", file, (unsigned)(size >> 10),
                physmap_used() >> 10);
    else if (!data)
        kprintf("VXDLDR_LoadDevice: %s: no such file in %s\n", file, VXD_DIR);
    else if (loaded(file))
        err = VXDLDR_ERR_DUPLICATE_DEVICE;
    else
        v = load(file, data, size, &err);
    if (!v)
        return err;
    v->dynamic = 1;
    v->ddb->DDB_Flags |= DDB_DYNAMIC_VXD;
    int r = flags & VXDLDR_INIT_DEVICE ? control(v, SYS_DYNAMIC_DEVICE_INIT, 0, 0) : 0;
    if (r != 0) {
        kprintf("VXDLDR_LoadDevice: %s refused Sys_Dynamic_Device_Init; unloaded\n", file);
        if (r != -2)                    /* -2: gone already */
            unload(v);
        return VXDLDR_ERR_DEVICE_REFUSED;
    }
    if (ddb)
        *ddb = v->ddb;
    return 0;
}

/* Whether v may go: its own hooks on other devices' services are undone if they are the last
 * ones; a hook someone else put on its services, or one of its hooks under another, keeps it. */
static int unhookable(struct vxd *v)
{
    for (unsigned i = 0; i < nsvc_hooks; i++) {
        struct svc_hook *h = &svc_hooks[i];
        if (vxd_at((uint32_t)h->slot) == v) {
            kprintf("VXDLDR_UnloadDevice: %s: a service of its is hooked by %08x\n", v->file,
                    h->proc);
            return 0;
        }
        if (vxd_at(h->proc) == v && *h->slot != h->proc) {
            kprintf("VXDLDR_UnloadDevice: %s: its hook %08x is under another\n", v->file,
                    h->proc);
            return 0;
        }
    }
    return 1;
}

/* v's own hooks on services undone (the last ones first; one under another's cannot be, and is
 * reported), and hooks on v's services forgotten (they go with it). */
static unsigned unhook_services(struct vxd *v)
{
    unsigned n = 0;
    for (unsigned i = nsvc_hooks; i-- > 0;) {
        struct svc_hook *h = &svc_hooks[i];
        int mine = vxd_at(h->proc) == v, on_mine = vxd_at((uint32_t)h->slot) == v;
        if (!mine && !on_mine)
            continue;
        if (mine && !on_mine) {
            if (*h->slot == h->proc)
                *h->slot = h->prev;
            else
                kprintf("vxd: %s: its hook %08x on a service is under another's; a call may "
                        "still reach it\n", v->file, h->proc);
        }
        *h = svc_hooks[--nsvc_hooks];
        n++;
    }
    return n;
}

uint32_t VXDLDR_UnloadDevice(uint32_t device_id, const char *name)
{
    struct VxD_Desc_Block *d = Get_DDB(device_id, device_id ? 0 : name);
    struct vxd *v = vxds;
    while (v && v->ddb != d)
        v = v->next;
    if (!v) {
        if (device_id || !name) {
            refused("VXDLDR_UnloadDevice", CALLER, "no such device %04x", device_id);
        } else {                        /* asked by name: say the name, as the DDB holds 8 */
            char shown[4 * 8 + 1];
            kescape(shown, sizeof shown, name, strnlen(name, 8));
            refused("VXDLDR_UnloadDevice", CALLER, "no such device '%s'", shown);
        }
        return VXDLDR_ERR_NO_SUCH_DEVICE;
    }
    if (!v->dynamic) {
        kprintf("VXDLDR_UnloadDevice: %s was loaded at boot, not by VXDLDR; refused\n", v->file);
        return VXDLDR_ERR_DEVICE_UNLOADABLE;
    }
    int r = control(v, SYS_DYNAMIC_DEVICE_EXIT, 0, 0);
    if (r == -2)
        return 0;                       /* unloaded meanwhile */
    if (r == 1) {
        kprintf("VXDLDR_UnloadDevice: %s refused Sys_Dynamic_Device_Exit\n", v->file);
        return VXDLDR_ERR_DEVICE_REFUSED;
    }
    if (!unhookable(v))
        return VXDLDR_ERR_DEVICE_UNLOADABLE;
    unload(v);
    return 0;
}


static int shell_ready;

int vxd_boot(void)
{
    INTS_OFF();                         /* as they were again on the way out */
    irq_enable();                       /* init messages run with interrupts on: a runaway is
                                           caught by the timer */
    Set_PM_Int_Vector(VXD_DYNALINK_INT, dynalink, 0);
    symbols_add_source(vxd_symbol);     /* fault reports name the VxDs' functions */
    guard_init(foreign_failed);         /* a fault in a VMM's call into them is contained */
    event_guard = guarded_proc;         /* their events and time-outs run guarded */
    if (sysini_devices(load_named, 0) <= 0)
        load_all_files();               /* no device= lines: every file of VMM/VXD */
    boot_step("VxDs loaded");
    broadcast(SYS_CRITICAL_INIT, 1);
    boot_step("Sys_Critical_Init");
    broadcast(DEVICE_INIT, 1);
    boot_step("Device_Init");
    broadcast(INIT_COMPLETE, 1);
    boot_step("Init_Complete");
    VMM_Register_Control(vm_messages, 0);   /* from now on, VMs and threads */
    kprintf("vxd: %u device%s initialised\n", nvxd, nvxd == 1 ? "" : "s");
    vxd_print_list();
    boot_step("device list");
    broadcast(SYS_VM_INIT, 1);
    boot_step("Sys_VM_Init");
    for (struct vxd *v = vxds; v; v = v->next)
        shell_ready |= v->ddb->DDB_Req_Device_Number == SHELL_DEVICE_ID;
    irq_disable();
    return shell_ready;
}

void vxd_shutdown(void)
{
    static const uint32_t msgs[2] = { SYSTEM_EXIT, SYS_CRITICAL_EXIT };
    for (unsigned m = 0; m < 2; m++) {
        struct vxd *v = vxds;
        while (v && v->next)
            v = v->next;                /* the last in init order first */
        while (v) {
            uint32_t order = v->ddb->DDB_Init_Order;
            unsigned sq = v->seq;
            if (control(v, msgs[m], Get_Sys_VM_Handle(), 0) == -1)
                unload(v);              /* abandoned: no more messages for it */
            v = before(order, sq);
        }
    }
}

unsigned vxd_count(void) { return nvxd; }

void vxd_print_list(void)
{
    for (struct vxd *v = vxds; v; v = v->next)
        kprintf("vxd: %-8.8s %-12s id %04x order %08x  text %08x (%u pages) rodata %08x data "
                "%08x  DDB %08x, %u services\n", v->ddb->DDB_Name, v->file,
                v->ddb->DDB_Req_Device_Number, v->ddb->DDB_Init_Order, v->addr[VXD_G_TEXT],
                v->npages[VXD_G_TEXT], v->addr[VXD_G_RODATA], v->addr[VXD_G_DATA],
                (uint32_t)v->ddb, v->ddb->DDB_Service_Table_Size);
}
