//! The small typst [`World`] a letter is compiled in: four virtual files, the vendored fonts and
//! a fixed date. Nothing is read from the disk, the network or the machine's fonts, so the same
//! input gives the same PDF everywhere.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The fixed main file: takes the document's title, author and language from `/meta.json` (so the
/// PDF's metadata and `/Lang` are set whatever the template does) and then includes the template.
/// Its set rules are top-level, which is where typst takes the document's language from.
const MAIN: &str = r#"#let meta = json("/meta.json")
#set document(title: meta.title, author: meta.author)
#set text(lang: meta.language)
#include "/template.typ"
"#;

pub(crate) const MAIN_PATH: &str = "/main.typ";
pub(crate) const TEMPLATE_PATH: &str = "/template.typ";
pub(crate) const DATA_PATH: &str = "/data.json";
pub(crate) const META_PATH: &str = "/meta.json";

/// Liberation Sans 2.1.5 (SIL OFL 1.1, see `fonts/OFL.txt`): metric-compatible with Arial, which
/// is what German offices usually print letters in; Latin, Greek and Cyrillic.
const FONTS: [&[u8]; 3] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSans-Italic.ttf"),
];

/// What every letter shares: the standard library and the parsed fonts, built once per process
/// (the first render pays for it) and hashed once ([`LazyHash`]).
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("the crate's own virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// One letter's world.
pub(crate) struct LetterWorld {
    main: Source,
    template: Source,
    data: Bytes,
    meta: Bytes,
    today: NaiveDate,
}

impl LetterWorld {
    pub(crate) fn new(template: &str, data: Vec<u8>, meta: Vec<u8>, today: NaiveDate) -> Self {
        Self {
            main: Source::new(file_id(MAIN_PATH), MAIN.to_owned()),
            template: Source::new(file_id(TEMPLATE_PATH), template.to_owned()),
            data: Bytes::new(data),
            meta: Bytes::new(meta),
            today,
        }
    }

    /// Whether `id` is the template's file (diagnostics name it by the template's name).
    pub(crate) fn is_template(&self, id: FileId) -> bool {
        id == self.template.id()
    }
}

impl World for LetterWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.template.id() {
            Ok(self.template.clone())
        } else if id == file_id(DATA_PATH) || id == file_id(META_PATH) {
            Err(FileError::NotSource)
        } else {
            Err(not_found(id))
        }
    }

    /// Only the four virtual files: a template cannot read the disk or load a package.
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == file_id(DATA_PATH) {
            Ok(self.data.clone())
        } else if id == file_id(META_PATH) {
            Ok(self.meta.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_owned()))
        } else if id == self.template.id() {
            Ok(Bytes::from_string(self.template.text().to_owned()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    /// The letter's date, whatever the offset: `datetime.today()` is as fixed as the rest.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        to_datetime(self.today)
    }
}

fn not_found(id: FileId) -> FileError {
    match id.root() {
        VirtualRoot::Package(_) => FileError::Package(PackageError::Other(Some(
            "a letter template cannot load packages".into(),
        ))),
        VirtualRoot::Project => FileError::NotFound(id.vpath().get_with_slash().into()),
    }
}

pub(crate) fn to_datetime(date: NaiveDate) -> Option<Datetime> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    Datetime::from_ymd(date.year(), month, day)
}
