/*
 * DEBUG: a debug console on the serial line, in the spirit of the Windows 95 debugger's dot
 * commands.  It polls COM1 every 20 ms (a global time-out: the VMM's console owns the port's
 * output, this device only reads) -- unless the keyboard's VKD takes the line
 * (DEBUG_Take_Input) to share it between the focus VM and this console, and hands over what is
 * typed here (DEBUG_Input) -- and COM2 where the PC has one (the VMM's log goes there too, never
 * a VM's screen: a second terminal that is always the console's); it echoes what is typed, and
 * runs a line when Enter comes:
 *
 *   .vm     VMs and their threads: priorities, CPU time, switches   (also .t); and for each
 *           DOS VM (DOSMGR's) the programs it runs
 *   .vxd    loaded VxDs: device ID, init order, where each part was loaded
 *   .heap   the system heap          .mem   pages and frames
 *   .?      this list
 *
 * The listings are the VMM's (VMM_Debug_Dump, linked by name); the parsing is here.
 */
#include <stdint.h>
#include <vmm/vxd.h>
#include <vmm/port.h>
#include <vmm/vmmsvc.h>
#include <vmm/thread.h>
#include <vmm/vm.h>
#include <vmm/dosmgr.h>

VMM_IMPORT(Set_Global_Time_Out)
VMM_IMPORT(Get_DDB)
VMM_IMPORT(Get_Next_VM_Handle)
VMM_IMPORT(Get_Sys_VM_Handle)
DOSMGR_IMPORT(DOSMGR_Get_Programs)
VMM_IMPORT(Out_Debug_String)
VMM_IMPORT(_Debug_Printf_Service)

int VMM_Debug_Dump(const char *what);           /* the VMM's, linked by name: 0 if unknown */

#define COM1     0x3F8
#define COM2     0x2F8
#define LSR_DR   0x01u
#define POLL_MS  20

static char line[64];
static unsigned len;
static int taken;                               /* VKD reads COM1 and hands us our bytes */
static int com2;                                /* COM2 is there: read it too */

static void run(void)
{
    static const char help[] = "DEBUG: .vm (or .t) VMs and threads, .vxd VxDs, .heap the heap, "
                               ".mem pages and frames, .? this list\n";
    unsigned i = 0;
    while (i < len && line[i] == ' ')
        i++;
    const char *cmd = line + i;
    if (!*cmd)
        return;
    if ((cmd[0] == '.' && cmd[1] == '?' && !cmd[2]) || !VMM_Debug_Dump(cmd + (cmd[0] == '.'))) {
        _Debug_Printf_Service(cmd[0] == '.' && cmd[1] == '?' ? "%s" : "DEBUG: unknown command "
                              "'%s'; .? lists them\n", cmd[0] == '.' && cmd[1] == '?' ? help : cmd);
        return;
    }
    const char *w = cmd + (cmd[0] == '.');
    int vm_cmd = (w[0] == 'v' && w[1] == 'm' && !w[2]) || (w[0] == 't' && !w[1]);
    if (vm_cmd && Get_DDB(DOSMGR_DEVICE_ID, 0)) {
        VMHANDLE sys = Get_Sys_VM_Handle();
        char progs[160];
        VMHANDLE vm = sys;
        do                                      /* the system VM first, as .vm lists them */
            if (DOSMGR_Get_Programs(vm, progs, sizeof progs))
                _Debug_Printf_Service("dos: VM %u runs %s\n", ((struct cb_s *)vm)->CB_VMID,
                                      progs[0] ? progs : "(no program yet)");
        while ((vm = Get_Next_VM_Handle(vm)) != 0 && vm != sys);
    }
}

static void input(char c)
{
    if (c == '\r' || c == '\n') {
        Out_Debug_String("\n");
        line[len] = 0;
        run();
        len = 0;
    } else if ((c == 8 || c == 127) && len) {
        len--;
        Out_Debug_String("\b \b");
    } else if (c >= 0x20 && c < 0x7F && len < sizeof line - 1) {
        char echo[2] = { c, 0 };
        line[len++] = c;
        Out_Debug_String(echo);
    }
}

/* What came on port (nothing if no UART answers there). */
static void drain(uint16_t port)
{
    for (int n = 0; n < 64; n++) {
        uint8_t lsr = inb(port + 5);
        if (lsr == 0xFF || !(lsr & LSR_DR))     /* no UART, or nothing received */
            break;
        input((char)inb(port));
    }
}

static void poll(uint32_t late_ms, void *ref)
{
    (void)late_ms;
    (void)ref;
    if (!taken)
        drain(COM1);                            /* else VKD reads the line */
    if (com2)
        drain(COM2);
    if (!taken || com2)
        Set_Global_Time_Out(poll, POLL_MS, 0);
}

static uint32_t get_version(void) { return 0x0400; }
static void take_input(void) { taken = 1; }
static void debug_input(uint32_t c) { input((char)c); }

static int control(uint32_t msg, uint32_t vm, uint32_t arg)
{
    (void)vm;
    (void)arg;
    if (msg == INIT_COMPLETE) {
        int com1 = inb(COM1 + 5) != 0xFF;
        com2 = inb(COM2 + 5) != 0xFF;
        if (!com1 && !com2) {
            Out_Debug_String("DEBUG: no serial port; the debug console is off\n");
            return 0;
        }
        if (!taken || com2)
            Set_Global_Time_Out(poll, POLL_MS, 0);
        Out_Debug_String(com1 && com2 ? "DEBUG: debug console on COM1 and COM2 (.? lists the "
                                        "commands)\n"
                         : com1       ? "DEBUG: debug console on COM1 (.? lists the commands)\n"
                                      : "DEBUG: debug console on COM2 (.? lists the commands)\n");
    }
    return 0;
}

static uint32_t services[DEBUG_SERVICE_COUNT] = {
    [DEBUG_Get_Version_Ord] = (uint32_t)get_version,
    [DEBUG_Take_Input_Ord] = (uint32_t)take_input,
    [DEBUG_Input_Ord] = (uint32_t)debug_input,
};

DECLARE_VIRTUAL_DEVICE(DEBUG_DDB, "DEBUG   ", 4, 0, control, DEBUG_DEVICE_ID, DEBUG_INIT_ORDER,
                       services, DEBUG_SERVICE_COUNT);
