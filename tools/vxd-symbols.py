# gdb script for `make debug`: loads each VxD's symbols at the addresses it was loaded at.
#
# The VMM writes, on QEMU's debugcon (build/debugcon.log), one line per VxD it loads or unloads:
#     vxd-symbols: load SAMPLE.VXD .text=0xc041e000 .rodata=0xc041f000 .data=0xc0420000 ...
# and then calls vxd_symbols_changed, where this script keeps a hardware breakpoint: at each hit
# it reads the new lines, runs add-symbol-file for loaded files (found under esp/VMM/VXD or
# build/testvxd) and remove-symbol-file for unloaded ones, and lets the VMM go on.  `vxd-symbols`
# does the same by hand.
import gdb, glob, os

LOG = os.environ.get("VXD_DEBUGCON_LOG", "build/debugcon.log")
SEARCH = ["esp/VMM/VXD", "build/testvxd/*", "build/vxd/*"]
done = 0
loaded = {}

def find(name):
    for pattern in SEARCH:
        for d in glob.glob(pattern):
            for f in os.listdir(d):
                if f.upper() == name.upper():
                    return os.path.join(d, f)
    return None

def refresh():
    global done
    try:
        lines = open(LOG, errors="replace").read().splitlines()
    except OSError:
        return
    for line in lines[done:]:
        if not line.startswith("vxd-symbols: "):
            continue
        words = line.split()
        what, name, secs = words[1], words[2], dict(w.split("=", 1) for w in words[3:])
        path = find(name)
        if what == "unload" and name in loaded:
            gdb.execute("remove-symbol-file -a %s" % loaded.pop(name), to_string=True)
        elif what == "load" and path and ".text" in secs:
            args = " ".join("-s %s %s" % (s, a) for s, a in secs.items() if s != ".text")
            gdb.execute("add-symbol-file %s %s %s" % (path, secs[".text"], args), to_string=True)
            loaded[name] = secs[".text"]
            print("vxd-symbols: %s at %s" % (name, secs[".text"]))
    done = len(lines)

class Changed(gdb.Breakpoint):
    def stop(self):
        refresh()
        return False

class Command(gdb.Command):
    """Load the symbols of the VxDs the VMM has loaded (from its debugcon log)."""
    def __init__(self):
        super().__init__("vxd-symbols", gdb.COMMAND_FILES)
    def invoke(self, arg, from_tty):
        refresh()

gdb.execute("set confirm off")
Changed("vxd_symbols_changed", type=gdb.BP_HARDWARE_BREAKPOINT, internal=True)
Command()
