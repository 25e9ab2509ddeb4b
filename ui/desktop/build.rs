//! Tauri's build step: validates `tauri.conf.json`, resolves the capability files and embeds the
//! window icon that `tauri::generate_context!` expects.
fn main() {
    tauri_build::build()
}
