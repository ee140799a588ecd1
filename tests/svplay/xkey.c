/*
 * svplay_xkey: drives a window on the test X server (Xlib only, no XTest).
 *   svplay_xkey TITLE_PREFIX geometry     prints "X Y W H" of the window
 *   svplay_xkey TITLE_PREFIX KEY...       sends key presses (X keysym names:
 *                                         i, space, q, Right...)
 *   svplay_xkey TITLE_PREFIX mouse ACTION X Y [ACTION X Y]...
 *                                         moves the pointer to (X, Y) of the
 *                                         window (XWarpPointer: real motion
 *                                         events), and for ACTION press or
 *                                         release sends the left button there;
 *                                         ACTION move only moves
 * The window is the first whose name starts with TITLE_PREFIX. Exit 0, 1 on
 * a bad key or X error, 3 when no such window exists (yet).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>

static Window find_window(Display *dpy, Window w, const char *prefix)
{
    Window root, parent, *kids = NULL, found = 0;
    unsigned n = 0;
    char *name = NULL;

    if (XFetchName(dpy, w, &name) && name) {
        int match = !strncmp(name, prefix, strlen(prefix));
        XFree(name);
        if (match)
            return w;
    }
    if (!XQueryTree(dpy, w, &root, &parent, &kids, &n))
        return 0;
    for (unsigned i = 0; i < n && !found; i++)
        found = find_window(dpy, kids[i], prefix);
    if (kids)
        XFree(kids);
    return found;
}

static int send_key(Display *dpy, Window w, const char *name)
{
    KeySym sym = XStringToKeysym(name);
    XEvent ev;

    if (sym == NoSymbol) {
        fprintf(stderr, "svplay_xkey: unknown key '%s'\n", name);
        return -1;
    }
    memset(&ev, 0, sizeof(ev));
    ev.xkey.type = KeyPress;
    ev.xkey.display = dpy;
    ev.xkey.window = w;
    ev.xkey.root = DefaultRootWindow(dpy);
    ev.xkey.time = CurrentTime;
    ev.xkey.x = ev.xkey.y = 1;
    ev.xkey.same_screen = True;
    ev.xkey.keycode = XKeysymToKeycode(dpy, sym);
    XSendEvent(dpy, w, True, KeyPressMask, &ev);
    ev.xkey.type = KeyRelease;
    XSendEvent(dpy, w, True, KeyReleaseMask, &ev);
    XSync(dpy, False);
    return 0;
}

/* The pointer to (x, y) of w, then a left button press or release there. */
static int send_mouse(Display *dpy, Window w, const char *action, int x, int y)
{
    XEvent ev;
    int press = !strcmp(action, "press");

    if (!press && strcmp(action, "release") && strcmp(action, "move")) {
        fprintf(stderr, "svplay_xkey: unknown mouse action '%s'\n", action);
        return -1;
    }
    XWarpPointer(dpy, None, w, 0, 0, 0, 0, x, y);
    XSync(dpy, False);
    if (!strcmp(action, "move"))
        return 0;
    memset(&ev, 0, sizeof(ev));
    ev.xbutton.type = press ? ButtonPress : ButtonRelease;
    ev.xbutton.display = dpy;
    ev.xbutton.window = w;
    ev.xbutton.root = DefaultRootWindow(dpy);
    ev.xbutton.time = CurrentTime;
    ev.xbutton.x = x;
    ev.xbutton.y = y;
    ev.xbutton.button = Button1;
    ev.xbutton.state = press ? 0 : Button1Mask;
    ev.xbutton.same_screen = True;
    XSendEvent(dpy, w, True, press ? ButtonPressMask : ButtonReleaseMask, &ev);
    XSync(dpy, False);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: svplay_xkey TITLE_PREFIX geometry|KEY...\n");
        return 1;
    }
    Display *dpy = XOpenDisplay(NULL);
    if (!dpy) {
        fprintf(stderr, "svplay_xkey: cannot open the display\n");
        return 1;
    }
    int ret = 0;
    Window w = find_window(dpy, DefaultRootWindow(dpy), argv[1]);
    if (!w) {
        ret = 3;
    } else if (!strcmp(argv[2], "geometry")) {
        XWindowAttributes a;
        Window child;
        int x = 0, y = 0;
        XGetWindowAttributes(dpy, w, &a);
        XTranslateCoordinates(dpy, w, DefaultRootWindow(dpy), 0, 0, &x, &y, &child);
        printf("%d %d %d %d\n", x, y, a.width, a.height);
    } else if (!strcmp(argv[2], "mouse")) {
        for (int i = 3; i + 2 < argc && !ret; i += 3)
            ret = send_mouse(dpy, w, argv[i], atoi(argv[i + 1]), atoi(argv[i + 2])) < 0 ? 1 : 0;
    } else {
        for (int i = 2; i < argc && !ret; i++)
            ret = send_key(dpy, w, argv[i]) < 0 ? 1 : 0;
    }
    XCloseDisplay(dpy);
    return ret;
}
