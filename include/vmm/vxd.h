/*
 * VxDs: the Device Descriptor Block every VxD exports, the system control messages its control
 * procedure receives, and the dynalink by which VxDs call services (the DDK's names, numbers and
 * layouts).  Part of the SDK: a VxD includes this header.
 *
 * A VxD file is an ELF32 relocatable object (gcc -m32 -c) holding exactly one global object whose
 * name ends in "_DDB" and whose size is sizeof(struct VxD_Desc_Block), in a writable data section.
 */
#ifndef VMM_VXD_H
#define VMM_VXD_H
#include <stdint.h>
#include "vmm/vmmsvc.h"             /* the ordinals, VMM32's own included */

/* The DDK's VxD_Desc_Block (VMM.INC), 0x50 bytes. */
struct VxD_Desc_Block {
    uint32_t DDB_Next;                  /* the VMM's: the next device */
    uint16_t DDB_SDK_Version;           /* DDK_VERSION */
    uint16_t DDB_Req_Device_Number;     /* the device ID, or UNDEFINED_DEVICE_ID */
    uint8_t  DDB_Dev_Major_Version;
    uint8_t  DDB_Dev_Minor_Version;
    uint16_t DDB_Flags;                 /* DDB_* below */
    char     DDB_Name[8];               /* blank-padded, not NUL-terminated */
    uint32_t DDB_Init_Order;            /* lower first; UNDEFINED_INIT_ORDER */
    uint32_t DDB_Control_Proc;          /* control procedure (see vxd_control_proc) */
    uint32_t DDB_V86_API_Proc;
    uint32_t DDB_PM_API_Proc;
    uint32_t DDB_V86_API_CSIP;
    uint32_t DDB_PM_API_CSIP;
    uint32_t DDB_Reference_Data;
    uint32_t DDB_Service_Table_Ptr;     /* an array of DDB_Service_Table_Size procedure addresses */
    uint32_t DDB_Service_Table_Size;
    uint32_t DDB_Win32_Service_Table;
    uint32_t DDB_Prev;                  /* 'Prev' */
    uint32_t DDB_Size;                  /* sizeof(struct VxD_Desc_Block) */
    uint32_t DDB_Reserved1;             /* 'Rsv1' */
    uint32_t DDB_Reserved2;             /* 'Rsv2' */
    uint32_t DDB_Reserved3;             /* 'Rsv3' */
};
_Static_assert(sizeof(struct VxD_Desc_Block) == 0x50, "the DDK's DDB is 50h bytes");

#define DDK_VERSION             0x0400u
#define UNDEFINED_DEVICE_ID     0x0000u
#define UNDEFINED_INIT_ORDER    0x80000000u
#define DDB_SYS_CRIT_INIT_DONE  0x0001u     /* set by the VMM */
#define DDB_DEVICE_INIT_DONE    0x0002u     /* set by the VMM */
#define DDB_HAS_WIN32_SVCS      0x4000u
#define DDB_DYNAMIC_VXD         0x8000u
#define DDB_PREV_SIG            0x50726576u /* 'Prev', as MASM's dd 'Prev' */
#define DDB_RSV1_SIG            0x52737631u /* 'Rsv1' */
#define DDB_RSV2_SIG            0x52737632u
#define DDB_RSV3_SIG            0x52737633u

/* Init orders (the DDK's, a few of them). */
#define VMM_INIT_ORDER          0x00000000u
#define DEBUG_INIT_ORDER        0x00000000u
#define VPICD_INIT_ORDER        0x0C000000u
#define VTD_INIT_ORDER          0x14000000u
#define VKD_INIT_ORDER          0x18000000u
#define SHELL_INIT_ORDER        0xB0000000u

/* Device IDs (the DDK's). */
#define VMM_DEVICE_ID           0x0001u
#define DEBUG_DEVICE_ID         0x0002u
#define VPICD_DEVICE_ID         0x0003u
#define VTD_DEVICE_ID           0x0005u
#define VKD_DEVICE_ID           0x000Du
#define SHELL_DEVICE_ID         0x0017u
#define VXDLDR_DEVICE_ID        0x0027u

/* The DDK's Declare_Virtual_Device: defines the DDB `sym` (e.g. SAMPLE_DDB) of a VxD.  name8 is
 * the device name, exactly 8 characters, blank-padded ("SAMPLE  "); table is an array of service
 * procedures (cast to uint32_t) and n its entries (0 and 0 for none). */
#define DECLARE_VIRTUAL_DEVICE(sym, name8, major, minor, control, id, order, table, n)        \
    _Static_assert(sizeof(name8) == 9, "the DDB name is 8 characters, blank-padded");        \
    struct VxD_Desc_Block sym = {                                                             \
        .DDB_SDK_Version = DDK_VERSION, .DDB_Req_Device_Number = (id),                        \
        .DDB_Dev_Major_Version = (major), .DDB_Dev_Minor_Version = (minor),                   \
        .DDB_Name = name8, .DDB_Init_Order = (order), .DDB_Control_Proc = (uint32_t)(control),\
        .DDB_Service_Table_Ptr = (uint32_t)(table), .DDB_Service_Table_Size = (n),            \
        .DDB_Prev = DDB_PREV_SIG, .DDB_Size = sizeof(struct VxD_Desc_Block),                  \
        .DDB_Reserved1 = DDB_RSV1_SIG, .DDB_Reserved2 = DDB_RSV2_SIG,                         \
        .DDB_Reserved3 = DDB_RSV3_SIG,                                                        \
    }

/* System control messages (the DDK's numbers; the VM and thread ones are in vmm/vm.h).  A VxD's
 * control procedure is DDB_Control_Proc, called as
 *     int control(uint32_t msg, uint32_t vm, uint32_t arg);
 * (cdecl; vm is the DDK's EBX, arg the message's other parameter) and returns 0 for success,
 * nonzero for failure -- the DDK's carry flag -- where a message may fail. */
#define SYS_CRITICAL_INIT       0x0000u
#define DEVICE_INIT             0x0001u
#define INIT_COMPLETE           0x0002u
#define SYS_VM_INIT             0x0003u     /* also in vm.h, the same */
#define SYSTEM_EXIT             0x0005u
#define SYS_CRITICAL_EXIT       0x0006u
#define SYS_DYNAMIC_DEVICE_INIT 0x001Bu
#define SYS_DYNAMIC_DEVICE_EXIT 0x001Cu
typedef int (*vxd_control_proc)(uint32_t msg, uint32_t vm, uint32_t arg);

/* ---- dynalink ---------------------------------------------------------------------------------
 * A VxD calls another device's service -- the VMM's (device 1) or a VxD's -- through a stub of
 * six bytes, `int 20h` and the dword (device << 16) | 8000h | service (the DDK's VxDJmp form):
 * the first call patches the stub, through a writable alias of its read-only page, into
 * `jmp [slot]`, the service's entry in its device's service table, so later calls cost one
 * indirect jump more than a direct call.  Hook_Device_Service changes the slot, so hooks take
 * effect for every dynalink caller (the VMM's own C calls do not go through the table).  A call
 * to a device that is not loaded, or past the end of its table,
 * or to a service this VMM does not provide, is reported with the caller's file, section and
 * offset (and abandons the VxD's init if it happens there; it is fatal elsewhere).
 *
 * VXD_IMPORT(device, ordinal, name) defines the stub `name` (a weak global function: import a
 * service in any number of a VxD's source files); declare its prototype as usual.
 * VMM_IMPORT(name) imports a VMM service by its DDK name (ordinals: vmm/vmmsvc.h).  Example:
 *     #include <vmm/vmmsvc.h>            (the ordinals: VMM_IMPORT needs them)
 *     #include <vmm/heap.h>
 *     VMM_IMPORT(_HeapAllocate)
 *     ... void *p = _HeapAllocate(64, 0);
 */
#define VXD_DYNALINK_INT   0x20
#define VXD_JMP_FORM       0x8000u
#define VXD_STR_(x) #x
#define VXD_STR(x) VXD_STR_(x)
#define VXD_IMPORT(device, ordinal, name)                                                       \
    __asm__(".pushsection .text." #name ",\"ax\",@progbits\n"                                  \
            ".weak " #name "\n.type " #name ",@function\n" #name ":\n"                          \
            "\tint $0x20\n\t.long ((" VXD_STR(device) ") << 16) | 0x8000 | (" VXD_STR(ordinal)   \
            ")\n.size " #name ",6\n.popsection");
#define VMM_IMPORT(name) VXD_IMPORT(1, name##_Ord, name)
#define VPICD_IMPORT(name) VXD_IMPORT(3, name##_Ord, name)     /* the VPICD device's services */
#define VTD_IMPORT(name) VXD_IMPORT(5, name##_Ord, name)       /* the VTD device's services */
#define VXDLDR_IMPORT(name) VXD_IMPORT(0x27, name##_Ord, name) /* VXDLDR's (in the VMM) */
#define DEBUG_IMPORT(name) VXD_IMPORT(2, name##_Ord, name)     /* the DEBUG device's services */

/* The DEBUG device's services (vxd/debug): the console reads COM1 itself unless another device
 * takes the line (DEBUG_Take_Input: the keyboard's VKD, which shares COM1 between the focus VM
 * and the console) and hands it the bytes typed for it (DEBUG_Input).  Check that DEBUG is
 * loaded (Get_DDB) before calling them. */
#define DEBUG_Get_Version_Ord   0x0000
#define DEBUG_Take_Input_Ord    0x0001
#define DEBUG_Input_Ord         0x0002
#define DEBUG_SERVICE_COUNT     3
uint32_t DEBUG_Get_Version(void);
void     DEBUG_Take_Input(void);
void     DEBUG_Input(uint32_t c);

/* VMM32's own services with no ordinal in the DDK's table (Create_VM, thread_sleep ...) are
 * device 1's at ordinals from 7F00h: see vmm/vmmsvc.h (VMM32_EXT_SERVICE_LIST). */

/* ---- the VMM's services for VxDs (device 1; also callable by the VMM itself) ---------------- */
#define VMM_VERSION 0x0400u                      /* Get_VMM_Version: 4.00, like Windows 95 */
uint32_t Get_VMM_Version(void);
/* Get_DDB: the DDB of the loaded device with this ID, or (id 0) with this name (8 characters,
 * blank-padded or NUL-terminated, any case); NULL if none. */
struct VxD_Desc_Block *Get_DDB(uint32_t device_id, const char *name);

/* Get_Profile_String: SYSTEM.INI's value of key in [section] ([386Enh] if section is NULL),
 * NUL-terminated, kept for the life of the system; deflt if the file has none. */
const char *Get_Profile_String(const char *section, const char *key, const char *deflt);
/* Hook_Device_Service: proc replaces service (a dynalink dword: (device << 16) | ordinal) for
 * every caller; returns the procedure it replaced, which proc calls to chain (0 if refused: no
 * such device or service).  Unhook_Device_Service takes proc out again (the last one hooked
 * first); 0 if it is not the current head of the service's chain. */
void    *Hook_Device_Service(uint32_t service, void *proc);
uint32_t Unhook_Device_Service(uint32_t service, void *proc);
/* Out_Debug_String: a line (or part of one) on the console; _Debug_Printf_Service: formatted. */
void     Out_Debug_String(const char *s);
void     _Debug_Printf_Service(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* _Sprintf: fmt formatted into buf (%s %c %d %u %x %X %p, widths, '-', '0', precision, l and
 * ll); the characters written, the NUL apart.  The DDK's has no bound: VMM32's writes at most
 * VMM_SPRINTF_MAX bytes, the NUL included, and cuts what is longer. */
#define VMM_SPRINTF_MAX 512u
uint32_t _Sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* System_Control: message to every VxD in init order (the VM and thread messages as the VMM
 * sends them); Directed_Sys_Control: to one.  0 if every control procedure succeeded. */
uint32_t System_Control(uint32_t msg, uint32_t vm, uint32_t arg);
uint32_t Directed_Sys_Control(struct VxD_Desc_Block *ddb, uint32_t msg, uint32_t vm, uint32_t arg);

/* ---- VXDLDR (device 27h, built into the VMM): dynamic VxDs from VMM/VXD ---------------------
 * VXDLDR_LoadDevice loads the file (e.g. "DYN.VXD") and, with VXDLDR_INIT_DEVICE, sends it
 * Sys_Dynamic_Device_Init (a failure unloads it); *ddb gets its DDB.  VXDLDR_UnloadDevice (by
 * device ID, or by name with ID 0) sends Sys_Dynamic_Device_Exit and unloads it -- only a
 * device VXDLDR loaded; its own service hooks are undone (refused if one is under another's, or
 * if another device hooked one of its services), and every call site patched to its services
 * goes back to INT 20h.  Both return 0 or a VXDLDR_ERR_ code. */
#define VXDLDR_VERSION               0x0100u
#define VXDLDR_INIT_DEVICE           0x0001u
#define VXDLDR_ERR_OUT_OF_MEMORY     1u
#define VXDLDR_ERR_IN_DOS            2u
#define VXDLDR_ERR_FILE_OPEN_ERROR   3u
#define VXDLDR_ERR_FILE_READ         4u
#define VXDLDR_ERR_DUPLICATE_DEVICE  5u
#define VXDLDR_ERR_BAD_DEVICE_FILE   6u
#define VXDLDR_ERR_DEVICE_REFUSED    7u
#define VXDLDR_ERR_NO_SUCH_DEVICE    8u
#define VXDLDR_ERR_DEVICE_UNLOADABLE 9u
uint32_t VXDLDR_GetVersion(void);
uint32_t VXDLDR_LoadDevice(const char *file, uint32_t flags, struct VxD_Desc_Block **ddb);
uint32_t VXDLDR_UnloadDevice(uint32_t device_id, const char *name);

#endif
