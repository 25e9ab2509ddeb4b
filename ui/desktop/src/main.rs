//! Kitanetz desktop: the Kita's app. It runs a `kita` node in-process and shows the node's own
//! server-rendered UI in a Tauri 2 webview through the `kitanetz://` custom scheme, so the UI is
//! the same one that city and Träger nodes serve over HTTPS, and no loopback port is opened.
//!
//! On first start (no node in the data directory) the window shows the first-start assistant
//! (`kitanetz_node::enrolment::assistant`): the Kita lead chooses the enrolment file the city or
//! the Träger handed over and sets up the first account, or starts a demo Kita without network.
//! An enrolled node runs its libp2p links like `kitanetz serve`: it dials its Träger (and the
//! city), works on offline with a banner on every page, and catches up when a link is back.
//!
//! Usage: `kitanetz-desktop [--data-dir DIR] [--backups DIR] [--enrol FILE] [--smoke [--screenshot FILE]]`
//! - `--data-dir DIR`: where the node keeps its data (default `$XDG_DATA_HOME/kitanetz`, else
//!   `~/.local/share/kitanetz`).
//! - `--backups DIR`: where *Datensicherung* writes backups and the assistant looks for them
//!   (default `~/Kitanetz-Datensicherungen`: outside the data directory, in the user's files).
//! - `--enrol FILE`: the assistant comes with this enrolment file filled in (`kitanetz demo`
//!   writes one for a demo Kita).
//! - `--smoke`: drive the window like a Kita lead and exit 0 (1 on failure or after the
//!   timeout): on a fresh directory through the assistant (with `--enrol` it enrols, with
//!   `--backups` it restores the newest backup there, else it starts the demo Kita), then sign in and wait until the start page `/` has rendered; an
//!   enrolled node must then show a connected peer on `/sync` and children on `/children`
//!   (arrived from its peers). Used by `tools/desktop-smoke.sh` and CI.
//! - `--screenshot FILE` (with `--smoke`): keep a PNG of the last page the smoke checked.
//!
//! Set `KITANETZ_DESKTOP_TRACE=1` to log every request through the scheme to stderr.

mod jar;
mod scheme;
mod screenshot;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::{bail, Context};
use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

use kitanetz_node::enrolment::assistant;
use kitanetz_node::links::{LinkSettings, NodeLinks};
use scheme::Served;

/// How long `--smoke` may take before the watchdog fails it (an enrolment waits for sync).
const SMOKE_TIMEOUT: Duration = Duration::from_secs(120);

/// The account the smoke sets up in the assistant when it enrols.
const SMOKE_LEAD: (&str, &str) = ("leitung", "desktop-smoke-passwort");

/// How often an enrolled node offers its users' changes to its peers (as `kitanetz serve`).
const SYNC_TICK: Duration = Duration::from_secs(1);

/// The path the smoke probe navigates to after a page rendered. The scheme handler
/// answers it itself (only with `--smoke`), so it never reaches the node's router.
const SMOKE_PROBE: &str = "/.desktop-smoke";

struct Args {
    data_dir: PathBuf,
    backups: PathBuf,
    /// `--backups` was given (the smoke then restores on a fresh directory).
    backups_given: bool,
    enrol: Option<PathBuf>,
    smoke: bool,
    screenshot: Option<PathBuf>,
}

const USAGE: &str = "usage: kitanetz-desktop [--data-dir DIR] [--backups DIR] [--enrol FILE] \
                     [--smoke [--screenshot FILE]]";

fn parse_args() -> anyhow::Result<Args> {
    let mut data_dir = None;
    let mut backups = None;
    let mut enrol = None;
    let mut smoke = false;
    let mut screenshot = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--data-dir") => {
                data_dir = Some(PathBuf::from(
                    args.next().context("--data-dir needs a directory")?,
                ))
            }
            Some("--backups") => {
                backups = Some(PathBuf::from(
                    args.next().context("--backups needs a directory")?,
                ))
            }
            Some("--enrol") => {
                enrol = Some(PathBuf::from(
                    args.next().context("--enrol needs an enrolment file")?,
                ))
            }
            Some("--smoke") => smoke = true,
            Some("--screenshot") => {
                screenshot = Some(PathBuf::from(
                    args.next().context("--screenshot needs a file")?,
                ))
            }
            Some("-h" | "--help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => bail!("unknown argument {arg:?} ({USAGE})"),
        }
    }
    let data_dir = match data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    if screenshot.is_some() && !smoke {
        bail!("--screenshot works with --smoke only ({USAGE})");
    }
    let backups_given = backups.is_some();
    let backups = match backups {
        Some(b) => b,
        None => home()?.join("Kitanetz-Datensicherungen"),
    };
    Ok(Args {
        data_dir,
        backups,
        backups_given,
        enrol,
        smoke,
        screenshot,
    })
}

/// The XDG base-directory default, so a Kita PC keeps its node data where backups of the
/// user's data directory will find it.
fn default_data_dir() -> anyhow::Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| Path::new(x).is_absolute()) {
        return Ok(PathBuf::from(x).join("kitanetz"));
    }
    Ok(home()?.join(".local/share/kitanetz"))
}

fn home() -> anyhow::Result<PathBuf> {
    let home =
        std::env::var_os("HOME").context("HOME is not set; pass --data-dir and --backups")?;
    Ok(PathBuf::from(home))
}

/// WebKitGTK's GPU paths are the usual cause of a blank Tauri window on Linux: its DMA-BUF
/// renderer misbehaves with some drivers (NVIDIA above all), and accelerated compositing needs a
/// DRM render node that Xvfb, containers, VMs without 3D and remote desktops lack. WebKitGTK 2.50
/// on Debian 12 under Xvfb rendered correctly even without these switches, so they are a guard,
/// not a fix for a failure seen here: the DMA-BUF renderer is always off (a form UI gains
/// nothing from it), and without `/dev/dri` WebKit also renders in software. A value the user
/// set always wins. Must run before any thread starts (environment writes are not thread-safe).
fn configure_webkit_env() {
    #[cfg(target_os = "linux")]
    {
        let no_gpu = !Path::new("/dev/dri").exists();
        let set_default = |key: &str, value: &str| {
            if std::env::var_os(key).is_none() {
                std::env::set_var(key, value);
            }
        };
        // Harmless with a GPU too, and avoids the known blank-window bug with NVIDIA drivers.
        set_default("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        if no_gpu {
            set_default("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
            set_default("LIBGL_ALWAYS_SOFTWARE", "1");
        }
    }
}

/// What the smoke run has seen so far.
struct SmokeState {
    /// HTML documents served through the scheme, by path (the last answer wins).
    pages: Mutex<Vec<Served>>,
    /// The data directory (the demo Kita's login is read from it once it exists).
    data_dir: PathBuf,
    /// Enrol through the assistant (else start the demo Kita there).
    enrol: bool,
    /// Restore the newest backup through the assistant.
    restore: bool,
    /// Set once the assistant's form has been posted: the assistant again means it failed.
    setup_sent: AtomicBool,
    /// Set once the login form has been posted: a second login page means the login failed.
    login_sent: AtomicBool,
    /// The node syncs: wait for a connected peer and for children from the peers.
    syncs: AtomicBool,
    /// Where to keep a picture of the last page checked (`--screenshot`).
    screenshot: Option<PathBuf>,
}

fn main() {
    configure_webkit_env();
    if let Err(e) = run() {
        eprintln!("kitanetz-desktop: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let args = parse_args()?;

    // One runtime for the node and for Tauri's async tasks: two workers are plenty for one
    // user's clicks plus the node's background work, and leave the cores to WebKit.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kitanetz-node")
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    tauri::async_runtime::set(runtime.handle().clone());

    // What answers the webview: the node's UI, or the first-start assistant until a node is
    // written (then the assistant swaps in the node's UI).
    let router: Arc<RwLock<axum::Router>> = Arc::new(RwLock::new(axum::Router::new()));
    {
        // The node may spawn background tasks while opening; give it the runtime's context.
        let _guard = runtime.enter();
        if has_node(&args.data_dir) {
            *router.write().expect("router lock") = open_node(&args.data_dir, &args.backups)?;
        } else {
            let preloaded = args.enrol.as_deref().map(preload).transpose()?;
            let data_dir = args.data_dir.clone();
            let backups = args.backups.clone();
            let swap = router.clone();
            let on_ready: assistant::OnReady = Arc::new(move || {
                let node_router = open_node(&data_dir, &backups)?;
                *swap.write().expect("router lock") = node_router;
                Ok(())
            });
            *router.write().expect("router lock") = assistant::router(
                args.data_dir.clone(),
                preloaded,
                Some(args.backups.clone()),
                Arc::new(kitanetz_node::clock::SystemClock),
                on_ready,
            );
        }
    }

    let trace = std::env::var_os("KITANETZ_DESKTOP_TRACE").is_some_and(|v| v != "0");
    let smoke = args.smoke.then(|| {
        Arc::new(SmokeState {
            pages: Mutex::default(),
            data_dir: args.data_dir.clone(),
            enrol: args.enrol.is_some(),
            restore: args.enrol.is_none() && args.backups_given && !has_node(&args.data_dir),
            setup_sent: AtomicBool::new(false),
            login_sent: AtomicBool::new(false),
            // An enrolled node from an earlier run must connect again.
            syncs: AtomicBool::new(enrolled_node(&args.data_dir)),
            screenshot: args.screenshot.clone(),
        })
    });
    if smoke.is_some() {
        std::thread::spawn(|| {
            std::thread::sleep(SMOKE_TIMEOUT);
            eprintln!(
                "desktop smoke: FAILED, start page not rendered within {} s",
                SMOKE_TIMEOUT.as_secs()
            );
            std::process::exit(1);
        });
    }

    let handle = runtime.handle().clone();
    let jar = Arc::new(jar::CookieJar::default());
    let smoke_for_scheme = smoke.clone();
    let builder = tauri::Builder::default().register_asynchronous_uri_scheme_protocol(
        scheme::SCHEME,
        move |ctx, request, responder| {
            if let Some(smoke) = smoke_for_scheme
                .as_ref()
                .filter(|_| request.uri().path() == SMOKE_PROBE)
            {
                finish_smoke(
                    ctx.app_handle(),
                    request.uri(),
                    smoke.syncs.load(Ordering::SeqCst),
                );
                responder.respond(http::Response::new(Vec::new()));
                return;
            }
            let router = router.read().expect("router lock").clone();
            let jar = jar.clone();
            let smoke = smoke_for_scheme.clone();
            handle.spawn(async move {
                let (response, served) = scheme::serve(router, &jar, request).await;
                if trace {
                    eprintln!(
                        "kitanetz:// {} {} -> {} ({} bytes{})",
                        served.method,
                        served.path,
                        served.status.as_u16(),
                        served.bytes,
                        served
                            .redirect
                            .as_deref()
                            .map(|l| format!(", redirect to {l}"))
                            .unwrap_or_default(),
                    );
                }
                if let Some(smoke) = smoke {
                    if served.is_html() {
                        let mut pages = smoke.pages.lock().expect("smoke lock");
                        pages.retain(|p| p.path != served.path);
                        pages.push(served);
                    }
                }
                responder.respond(response);
            });
        },
    );

    let smoke_for_setup = smoke.clone();
    builder
        .setup(move |app| {
            let mut window = WebviewWindowBuilder::new(
                app,
                "main",
                WebviewUrl::CustomProtocol(scheme::start_url()),
            )
            .title("Kitanetz")
            .inner_size(1280.0, 800.0)
            .min_inner_size(800.0, 600.0);
            if smoke_for_setup.is_some() || trace {
                window = window.on_page_load(move |window, payload| {
                    if trace {
                        eprintln!("page load {:?}: {}", payload.event(), payload.url());
                    }
                    if let Some(smoke) = &smoke_for_setup {
                        if payload.event() == PageLoadEvent::Finished {
                            check_page(&window, smoke, payload.url());
                        }
                    }
                });
            }
            window.build()?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .context("running the desktop app")?;
    Ok(())
}

fn has_node(data_dir: &Path) -> bool {
    data_dir.join(kitanetz_node::config::CONFIG_FILE).exists()
}

/// A node that syncs (enrolled), as opposed to the demo Kita that runs alone.
fn enrolled_node(data_dir: &Path) -> bool {
    kitanetz_node::config::NodeConfig::load(data_dir).is_ok_and(|c| c.p2p.is_some())
}

/// Reads the enrolment file of `--enrol` for the assistant.
fn preload(path: &Path) -> anyhow::Result<assistant::Preloaded> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("--enrol {}", path.display()))?;
    Ok(assistant::Preloaded {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        text,
    })
}

/// Opens the Kita node in `data_dir`, starts its links when it has a `[p2p]` section (an
/// enrolled node; the demo Kita runs alone) and returns the router that answers the webview.
/// Must run inside the runtime.
fn open_node(data_dir: &Path, backups: &Path) -> anyhow::Result<axum::Router> {
    let node = kitanetz_node::Node::open(data_dir, Arc::new(kitanetz_node::clock::SystemClock))
        .with_context(|| format!("opening the node in {}", data_dir.display()))?;
    node.set_backup_dir(backups.to_path_buf());
    // A missing certificate or a bad key stops here with a message, not in a silent sync page.
    if let Some(settings) = LinkSettings::from_config(&node)? {
        let linked = node.clone();
        tokio::spawn(async move {
            if let Err(e) = NodeLinks::start(linked, settings, SYNC_TICK).await {
                eprintln!("kitanetz-desktop: the links did not start: {e:#}");
            }
        });
    }
    Ok(kitanetz_node::http::router(node))
}

/// After a document finished loading. The smoke walks the path a Kita lead takes: on a fresh
/// directory the assistant (enrol, or start the demo Kita); the login page, filled and posted
/// like a person would; the signed-in start page `/`. An enrolled node then goes on to `/sync`
/// until a peer is connected and to `/children` until children have arrived from the peers.
/// The last page is checked from inside the page (through a navigation to [`SMOKE_PROBE`]),
/// which proves WebKit parsed and rendered it rather than only that the router produced bytes.
fn check_page(window: &tauri::WebviewWindow, smoke: &SmokeState, url: &tauri::Url) {
    if url.path() == SMOKE_PROBE {
        return;
    }
    let served = {
        let pages = smoke.pages.lock().expect("smoke lock");
        pages.iter().find(|p| p.path == url.path()).cloned()
    };
    // The pages a smoke ends on; the picture of the last one stays.
    let last_page = served
        .as_ref()
        .is_some_and(|s| s.status.is_success() && (s.path == "/" || s.path == "/children"));
    let script = match served {
        // The shell's stand-in for a redirect: the real page is the next load.
        Some(s) if s.redirect.is_some() => return,
        Some(s) if s.path == "/setup" => {
            if smoke.setup_sent.swap(true, Ordering::SeqCst) {
                fail(&format!(
                    "the assistant came back (status {}) instead of the login page",
                    s.status.as_u16()
                ));
            }
            println!(
                "desktop smoke: first-start assistant rendered (status {}, {} bytes)",
                s.status.as_u16(),
                s.bytes
            );
            if smoke.restore {
                // The backup is of an enrolled node: it syncs, with the lead set up in run 2.
                smoke.syncs.store(true, Ordering::SeqCst);
                format!(
                    "if (!document.getElementById('backup-1')) {{ location.replace('{SMOKE_PROBE}?error=' + encodeURIComponent('no backup offered')); }} \
                     else {{ document.getElementById('restore-form').submit(); }}"
                )
            } else if smoke.enrol {
                smoke.syncs.store(true, Ordering::SeqCst);
                format!(
                    "if (!document.getElementById('enrolment_text').value) {{ location.replace('{SMOKE_PROBE}?error=' + encodeURIComponent('no enrolment preloaded')); }} \
                     document.getElementById('display_name').value = 'Anna Leitung'; \
                     document.getElementById('username').value = {}; \
                     document.getElementById('password').value = {}; \
                     document.getElementById('password_repeat').value = {}; \
                     document.getElementById('enrol-form').submit()",
                    js_string(SMOKE_LEAD.0),
                    js_string(SMOKE_LEAD.1),
                    js_string(SMOKE_LEAD.1)
                )
            } else {
                "document.getElementById('demo-form').submit()".to_string()
            }
        }
        Some(s) if s.status.is_success() && s.path == "/login" => {
            let Some((user, password)) = smoke_login(smoke) else {
                fail("the start page asks for a login, but the data dir has no demo Kita login");
            };
            if smoke.login_sent.swap(true, Ordering::SeqCst) {
                fail("the login page came back after signing in");
            }
            println!(
                "desktop smoke: login page rendered (status {}, {} bytes)",
                s.status.as_u16(),
                s.bytes
            );
            format!(
                "document.getElementById('username').value = {}; \
                 document.getElementById('password').value = {}; \
                 document.querySelector('form[action=\"/login\"]').submit()",
                js_string(&user),
                js_string(&password)
            )
        }
        Some(s) if s.status.is_success() && s.path == "/" && smoke.syncs.load(Ordering::SeqCst) => {
            println!(
                "desktop smoke: start page rendered (status {}, {} bytes); waiting for sync",
                s.status.as_u16(),
                s.bytes
            );
            "location.replace('/sync')".to_string()
        }
        // Until a peer shows as connected, look again every second (the watchdog ends it).
        Some(s) if s.status.is_success() && s.path == "/sync" => {
            "if (document.querySelector('table .kern-badge--success')) { location.replace('/children'); } \
             else { setTimeout(function () { location.reload(); }, 1000); }"
                .to_string()
        }
        Some(s) if s.status.is_success() && s.path == "/children" => format!(
            "if (document.querySelectorAll('main table tbody tr').length > 0) {{ {} }} \
             else {{ setTimeout(function () {{ location.reload(); }}, 1000); }}",
            probe_script(&s)
        ),
        Some(s) if s.status.is_success() => probe_script(&s),
        Some(s) => fail(&format!(
            "{} answered with status {}",
            s.path,
            s.status.as_u16()
        )),
        // A page that did not come through the router (e.g. an error page) is not the end:
        // wait for the next load or the watchdog.
        None => {
            eprintln!("desktop smoke: page {url} finished but was not served by the router");
            return;
        }
    };
    let run = {
        let window = window.clone();
        move || {
            if let Err(e) = window.eval(script) {
                fail(&format!("could not run a script in the page: {e}"));
            }
        }
    };
    match &smoke.screenshot {
        Some(picture) if last_page => screenshot::snapshot_then(window, picture.clone(), run),
        _ => run(),
    }
}

/// Reports what the page shows to [`SMOKE_PROBE`], which ends the smoke.
fn probe_script(s: &Served) -> String {
    format!(
        "location.replace('{SMOKE_PROBE}?status={}&bytes={}&path=' + encodeURIComponent(location.pathname) \
         + '&title=' + encodeURIComponent(document.title) \
         + '&rows=' + document.querySelectorAll('main table tbody tr').length \
         + '&h1=' + encodeURIComponent((document.querySelector('h1') || {{}}).textContent || ''))",
        s.status.as_u16(),
        s.bytes
    )
}

/// The probe came back from a rendered page: report what it showed and exit.
fn finish_smoke(app: &tauri::AppHandle, uri: &http::Uri, syncs: bool) {
    let query = uri.query().unwrap_or("");
    let probe = tauri::Url::parse(&format!("{}://localhost/?{query}", scheme::SCHEME))
        .unwrap_or_else(|e| fail(&format!("bad probe URL {uri}: {e}")));
    let get = |key: &str| {
        probe
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let error = get("error");
    if !error.is_empty() {
        fail(&error);
    }
    let (status, bytes, path, title, h1, rows) = (
        get("status"),
        get("bytes"),
        get("path"),
        get("title"),
        get("h1"),
        get("rows"),
    );
    let expected = if syncs { "/children" } else { "/" };
    if path != expected {
        fail(&format!("ended on {path} instead of {expected}"));
    }
    if title.is_empty() || h1.trim().is_empty() {
        fail(&format!("{path} rendered without a title or heading"));
    }
    println!("desktop smoke: {path} rendered (status {status}, {bytes} bytes)");
    println!("desktop smoke: title {title:?}, heading {:?}", h1.trim());
    if syncs {
        println!(
            "desktop smoke: enrolled, a peer connected, {rows} children arrived from the peers"
        );
    }
    app.exit(0);
}

fn fail(why: &str) -> ! {
    eprintln!("desktop smoke: FAILED, {why}");
    std::process::exit(1);
}

/// A JavaScript string literal for any text: everything but plain ASCII letters and digits is
/// written as a `\u{..}` escape, so no quote or line break can end the literal early.
fn js_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out.push('\'');
    out
}

/// The login the smoke uses: the account it set up in the assistant, or the demo Kita's.
fn smoke_login(smoke: &SmokeState) -> Option<(String, String)> {
    if smoke.enrol || smoke.restore || smoke.syncs.load(Ordering::SeqCst) {
        return Some((SMOKE_LEAD.0.into(), SMOKE_LEAD.1.into()));
    }
    kitanetz_node::demo::desktop_login(&smoke.data_dir).ok()
}

#[cfg(test)]
mod tests {
    use super::js_string;

    #[test]
    fn js_string_cannot_break_out() {
        assert_eq!(js_string("ab1"), "'ab1'");
        assert_eq!(js_string("a'b\n-ä"), "'a\\u{27}b\\u{a}\\u{2d}\\u{e4}'");
    }
}
