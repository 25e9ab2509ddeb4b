//! Name lists. Dresden's families are mostly German with sizeable Vietnamese, Russian-speaking,
//! Arabic-speaking, Polish and Turkish communities; the lists mirror that so that the UI, sorting
//! and search are exercised with umlauts, ß, Turkish dotless ı, Polish diacritics and short
//! Vietnamese names. All names are common first/family names, not real persons.

use rand::seq::SliceRandom;
use rand::Rng;

/// The naming tradition of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    German,
    Turkish,
    Arabic,
    Polish,
    Russian,
    Vietnamese,
}

impl Origin {
    /// Roughly Dresden's mix of families with young children.
    pub(crate) fn draw(rng: &mut impl Rng) -> Origin {
        match rng.gen_range(0..100) {
            0..=81 => Origin::German,
            82..=84 => Origin::Turkish,
            85..=88 => Origin::Arabic,
            89..=91 => Origin::Polish,
            92..=95 => Origin::Russian,
            _ => Origin::Vietnamese,
        }
    }

    fn lists(
        self,
    ) -> (
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    ) {
        match self {
            Origin::German => (CHILD_FEMALE_DE, CHILD_MALE_DE, FAMILY_DE),
            Origin::Turkish => (FEMALE_TR, MALE_TR, FAMILY_TR),
            Origin::Arabic => (FEMALE_AR, MALE_AR, FAMILY_AR),
            Origin::Polish => (FEMALE_PL, MALE_PL, FAMILY_PL),
            Origin::Russian => (FEMALE_RU, MALE_RU, FAMILY_RU),
            Origin::Vietnamese => (FEMALE_VN, MALE_VN, FAMILY_VN),
        }
    }

    /// A family name in its base (masculine) form.
    pub(crate) fn family_name(self, rng: &mut impl Rng) -> &'static str {
        pick(rng, self.lists().2)
    }

    /// A child's given name; a quarter of the children of non-German families get a German
    /// name, as is common in the second generation.
    pub(crate) fn child_given_name(self, rng: &mut impl Rng, female: bool) -> &'static str {
        let origin = if self != Origin::German && rng.gen_bool(0.25) {
            Origin::German
        } else {
            self
        };
        let (f, m, _) = origin.lists();
        pick(rng, if female { f } else { m })
    }

    /// An adult's given name: German parents are a generation older than the children's names.
    pub(crate) fn adult_given_name(self, rng: &mut impl Rng, female: bool) -> &'static str {
        match (self, female) {
            (Origin::German, true) => pick(rng, ADULT_FEMALE_DE),
            (Origin::German, false) => pick(rng, ADULT_MALE_DE),
            (o, female) => {
                let (f, m, _) = o.lists();
                pick(rng, if female { f } else { m })
            }
        }
    }

    /// The form of a family name a woman or girl carries (Polish -ski → -ska,
    /// Russian -ow → -owa); other traditions do not inflect.
    pub(crate) fn inflect(self, family: &str, female: bool) -> String {
        if !female {
            return family.to_string();
        }
        match self {
            Origin::Polish => {
                if let Some(stem) = family.strip_suffix("ski") {
                    format!("{stem}ska")
                } else if let Some(stem) = family.strip_suffix("cki") {
                    format!("{stem}cka")
                } else {
                    family.to_string()
                }
            }
            Origin::Russian
                if family.ends_with("ow") || family.ends_with("ew") || family.ends_with("in") =>
            {
                format!("{family}a")
            }
            _ => family.to_string(),
        }
    }
}

pub(crate) fn pick<T: Copy>(rng: &mut impl Rng, list: &[T]) -> T {
    *list.choose(rng).expect("name lists are not empty")
}

/// An educator's or lead's full name (adults, mostly German, mostly women as in the profession).
pub(crate) fn staff_name(rng: &mut impl Rng) -> String {
    let origin = if rng.gen_bool(0.9) {
        Origin::German
    } else {
        Origin::draw(rng)
    };
    let female = rng.gen_bool(0.88);
    let given = origin.adult_given_name(rng, female);
    let family = origin.inflect(origin.family_name(rng), female);
    format!("{given} {family}")
}

pub(crate) const CHILD_FEMALE_DE: &[&str] = &[
    "Emma",
    "Mia",
    "Hannah",
    "Emilia",
    "Sophia",
    "Lina",
    "Ella",
    "Clara",
    "Lea",
    "Marie",
    "Mila",
    "Leni",
    "Frieda",
    "Ida",
    "Lotta",
    "Charlotte",
    "Greta",
    "Mathilda",
    "Luisa",
    "Anna",
    "Johanna",
    "Paula",
    "Lena",
    "Amelie",
    "Nele",
    "Helene",
    "Emily",
    "Martha",
    "Carla",
    "Romy",
    "Maja",
    "Luise",
    "Thea",
    "Alma",
    "Lia",
    "Pia",
    "Rosa",
    "Marlene",
    "Juna",
    "Edda",
    "Fiona",
    "Jana",
    "Merle",
    "Ronja",
    "Elisa",
    "Zoe",
    "Malia",
    "Wilma",
    "Elli",
    "Annika",
];

pub(crate) const CHILD_MALE_DE: &[&str] = &[
    "Noah",
    "Ben",
    "Paul",
    "Leon",
    "Finn",
    "Elias",
    "Felix",
    "Henry",
    "Emil",
    "Jonas",
    "Theo",
    "Luis",
    "Anton",
    "Oskar",
    "Karl",
    "Matteo",
    "Jakob",
    "Moritz",
    "Max",
    "Friedrich",
    "Leo",
    "Mats",
    "Linus",
    "Johann",
    "Lukas",
    "Konrad",
    "Julius",
    "Vincent",
    "Hugo",
    "Carl",
    "Fritz",
    "Otto",
    "Milan",
    "Levi",
    "Tom",
    "Erik",
    "Philipp",
    "Samuel",
    "Jonathan",
    "Richard",
    "Till",
    "Lennard",
    "Hannes",
    "Mika",
    "Ole",
    "Arthur",
    "Valentin",
    "Bruno",
    "Malte",
    "Jannik",
];

const ADULT_FEMALE_DE: &[&str] = &[
    "Anja",
    "Katrin",
    "Sandra",
    "Claudia",
    "Stefanie",
    "Nadine",
    "Melanie",
    "Juliane",
    "Kristin",
    "Antje",
    "Ulrike",
    "Susanne",
    "Franziska",
    "Christin",
    "Doreen",
    "Peggy",
    "Manuela",
    "Madlen",
    "Kathleen",
    "Josephine",
    "Jenny",
    "Sabine",
    "Maria",
    "Theresa",
    "Anne",
    "Julia",
    "Sarah",
    "Katharina",
    "Lisa",
    "Laura",
    "Christina",
    "Anika",
    "Nicole",
    "Cindy",
    "Mandy",
    "Ines",
    "Yvonne",
    "Janine",
    "Grit",
    "Diana",
    "Carolin",
    "Tina",
    "Silke",
    "Jana",
    "Kerstin",
    "Uta",
    "Elisabeth",
    "Friederike",
    "Judith",
    "Vanessa",
];

const ADULT_MALE_DE: &[&str] = &[
    "Thomas",
    "Michael",
    "Andreas",
    "Stefan",
    "Sebastian",
    "Christian",
    "Martin",
    "Tobias",
    "Daniel",
    "Robert",
    "Matthias",
    "Alexander",
    "Markus",
    "Florian",
    "Ronny",
    "René",
    "Sven",
    "Steffen",
    "Philipp",
    "Johannes",
    "Tim",
    "Benjamin",
    "Felix",
    "Marcel",
    "Paul",
    "Jens",
    "Mario",
    "Frank",
    "Dirk",
    "Kai",
    "Torsten",
    "Enrico",
    "Maik",
    "Rico",
    "Patrick",
    "Dennis",
    "Christoph",
    "Georg",
    "Lars",
    "Uwe",
    "Peter",
    "David",
    "Jan",
    "Hendrik",
    "Oliver",
    "Marco",
    "Holger",
    "Ralf",
    "Tino",
    "Björn",
];

const FAMILY_DE: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Schulze",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Vogel",
    "Friedrich",
    "Kühn",
    "Seidel",
    "Günther",
    "Winkler",
    "Lorenz",
    "Ludwig",
    "Kretzschmar",
    "Böhme",
    "Haase",
    "Rudolph",
    "Ullrich",
    "Pohl",
    "Gebhardt",
    "Schubert",
    "Heinrich",
    "Ebert",
];

const FEMALE_TR: &[&str] = &[
    "Elif", "Zeynep", "Ayşe", "Defne", "Ela", "Azra", "Meryem", "Emine", "Fatma", "Selin",
    "Hatice", "Esra", "Aylin", "Melek", "Büşra",
];
const MALE_TR: &[&str] = &[
    "Yusuf", "Emir", "Mehmet", "Mustafa", "Ali", "Ömer", "Eymen", "Kerem", "Murat", "Hasan", "Can",
    "Deniz", "Burak", "Emre", "Kaan",
];
const FAMILY_TR: &[&str] = &[
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan", "Doğan",
    "Kılıç", "Aslan", "Koç", "Kurt", "Özdemir",
];

const FEMALE_AR: &[&str] = &[
    "Mariam", "Fatima", "Lana", "Sara", "Rahaf", "Aya", "Nour", "Leen", "Hiba", "Amal", "Salma",
    "Yasmin", "Rania", "Dalia", "Lamar",
];
const MALE_AR: &[&str] = &[
    "Mohammed", "Ahmad", "Omar", "Karim", "Adam", "Yousef", "Khaled", "Hamza", "Ibrahim", "Amir",
    "Samir", "Ziad", "Tarek", "Bilal", "Rami",
];
const FAMILY_AR: &[&str] = &[
    "Al-Ahmad",
    "Haddad",
    "Khalil",
    "Hassan",
    "Mansour",
    "Saleh",
    "Nasser",
    "Darwish",
    "Ibrahim",
    "Khoury",
    "Al-Hussein",
    "Suleiman",
    "Hamdan",
    "Othman",
    "Youssef",
];

const FEMALE_PL: &[&str] = &[
    "Zofia",
    "Zuzanna",
    "Julia",
    "Maja",
    "Hanna",
    "Agnieszka",
    "Katarzyna",
    "Magdalena",
    "Natalia",
    "Wiktoria",
    "Aleksandra",
    "Oliwia",
    "Małgorzata",
    "Joanna",
    "Ewa",
];
const MALE_PL: &[&str] = &[
    "Jakub",
    "Antoni",
    "Szymon",
    "Jan",
    "Filip",
    "Kacper",
    "Piotr",
    "Tomasz",
    "Krzysztof",
    "Mateusz",
    "Wojciech",
    "Bartosz",
    "Paweł",
    "Łukasz",
    "Michał",
];
const FAMILY_PL: &[&str] = &[
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Mazur",
    "Krawczyk",
    "Jankowski",
];

const FEMALE_RU: &[&str] = &[
    "Anastasia",
    "Sofia",
    "Darja",
    "Polina",
    "Alina",
    "Viktoria",
    "Jelena",
    "Olga",
    "Natalja",
    "Tatjana",
    "Kristina",
    "Valeria",
    "Swetlana",
    "Irina",
    "Xenia",
];
const MALE_RU: &[&str] = &[
    "Maxim",
    "Artjom",
    "Alexander",
    "Dmitri",
    "Iwan",
    "Nikita",
    "Sergej",
    "Andrej",
    "Wladimir",
    "Michail",
    "Jegor",
    "Roman",
    "Pawel",
    "Oleg",
    "Timofej",
];
const FAMILY_RU: &[&str] = &[
    "Iwanow",
    "Petrow",
    "Smirnow",
    "Kusnezow",
    "Popow",
    "Wolkow",
    "Sokolow",
    "Lebedew",
    "Kowalenko",
    "Schewtschenko",
    "Bondarenko",
    "Morosow",
    "Fedorow",
    "Nikitin",
    "Sacharow",
];

const FEMALE_VN: &[&str] = &[
    "Linh",
    "Lan",
    "Mai",
    "Hoa",
    "Thu",
    "Ngoc Anh",
    "Thao",
    "Huong",
    "Phuong",
    "Trang",
    "Vy",
    "My",
    "Khanh Linh",
    "Bao Ngoc",
    "Thanh Ha",
];
const MALE_VN: &[&str] = &[
    "Minh",
    "Duc",
    "Anh",
    "Tuan",
    "Hung",
    "Nam",
    "Long",
    "Quang",
    "Khanh",
    "Bao",
    "Huy",
    "Hoang",
    "Minh Khoa",
    "Gia Bao",
    "Duc Anh",
];
const FAMILY_VN: &[&str] = &[
    "Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Vo", "Dang", "Bui", "Do", "Ngo",
    "Duong", "Ly", "Trinh",
];

/// Name stems of Kitas and Krippen ("Kita Sonnenschein").
pub(crate) const FACILITY_STEMS: &[&str] = &[
    "Sonnenschein",
    "Regenbogen",
    "Pusteblume",
    "Spatzennest",
    "Zwergenland",
    "Wichtelburg",
    "Kunterbunt",
    "Sonnenblume",
    "Löwenzahn",
    "Abenteuerland",
    "Entdeckerland",
    "Glühwürmchen",
    "Traumland",
    "Zauberwald",
    "Kleine Strolche",
    "Rasselbande",
    "Wirbelwind",
    "Purzelbaum",
    "Villa Kunterbunt",
    "Knirpsenland",
    "Sausewind",
    "Sternchen",
    "Mäuseburg",
    "Schatzkiste",
    "Elbspatzen",
    "Arche Noah",
    "Senfkorn",
    "Friedenskinder",
    "Apfelbäumchen",
    "Krümelkiste",
    "Kinderinsel",
    "Waldwichtel",
    "Hummelnest",
    "Kleeblatt",
    "Schneckenhaus",
    "Wiesenzwerge",
    "Elbwiesenkinder",
    "Weltentdecker",
    "Pfiffikus",
    "Rappelkiste",
    "Zwergenhaus",
    "Rübezahl",
    "Storchennest",
    "Hand in Hand",
    "Bunte Knöpfe",
    "Sonnenkäfer",
    "Waldhaus",
    "Baumhaus",
    "Heidekinder",
    "Mühlenzwerge",
    "Kastanienhof",
    "Lindenhof",
    "Gartenzwerge",
    "Sternenhimmel",
];

/// Group names of Krippe and Kindergarten groups.
pub(crate) const GROUP_NAMES: &[&str] = &[
    "Marienkäfer",
    "Füchse",
    "Igel",
    "Bären",
    "Schmetterlinge",
    "Mäuse",
    "Eulen",
    "Frösche",
    "Raupen",
    "Spatzen",
    "Bienen",
    "Hasen",
    "Schnecken",
    "Delfine",
    "Pinguine",
    "Eichhörnchen",
    "Wichtel",
    "Zwerge",
    "Sonnenblumen",
    "Sternschnuppen",
    "Wölfe",
    "Dachse",
    "Biber",
    "Schwalben",
    "Elefanten",
    "Löwen",
    "Giraffen",
    "Tiger",
    "Pandas",
    "Koalas",
    "Seepferdchen",
    "Libellen",
    "Glühwürmchen",
    "Kängurus",
    "Waschbären",
    "Murmeltiere",
    "Krokodile",
    "Otter",
    "Falken",
    "Hummeln",
];

/// Group names of Hort groups.
pub(crate) const AFTER_SCHOOL_GROUP_NAMES: &[&str] = &[
    "Entdecker",
    "Forscher",
    "Abenteurer",
    "Weltenbummler",
    "Baumeister",
    "Detektive",
    "Erfinder",
    "Kletterer",
    "Leseratten",
    "Wirbelwinde",
    "Piraten",
    "Sternenfänger",
    "Ritter",
    "Drachen",
    "Kometen",
    "Tüftler",
    "Vagabunden",
    "Naturfreunde",
];

/// Pedagogical concepts with the one-line summary a Kita profile shows.
pub(crate) const CONCEPTS: &[&str] = &[
    "Situationsansatz: Wir greifen auf, was die Kinder gerade bewegt, und planen Projekte gemeinsam mit ihnen.",
    "Montessori-Pädagogik: „Hilf mir, es selbst zu tun“ – vorbereitete Umgebung und freie Wahl der Arbeit.",
    "Reggio-Pädagogik: Das Kind als Forscher; Ateliers, Dokumentation und viel Raum für die hundert Sprachen der Kinder.",
    "Waldkita: Die Kinder verbringen den Tag überwiegend draußen in der Dresdner Heide, bei jedem Wetter.",
    "Offene Arbeit: Funktionsräume statt fester Gruppenräume; die Kinder wählen ihre Spielorte selbst.",
    "Bilinguale Kita (deutsch-englisch) nach dem Immersionsprinzip, auf Grundlage des Sächsischen Bildungsplans.",
    "Kneipp-Kita: Gesundheit, Bewegung, gesunde Ernährung und Wasseranwendungen im Alltag.",
    "Religionspädagogisches Profil: christliche Feste und Werte im Kita-Jahr, offen für alle Familien.",
    "Inklusive Einrichtung mit Integrationsplätzen; heilpädagogische Fachkräfte arbeiten in den Gruppen.",
    "Naturwissenschaftliches Profil: Experimente, Garten und Werkstatt, zertifiziert als „Forscher-Kita“.",
    "Bewegungskita: tägliche Bewegungsangebote, Turnhalle und Kooperation mit einem Sportverein.",
    "Waldorfpädagogik: Rhythmus, Rituale und freies Spiel mit Naturmaterialien.",
];

/// Concepts of a Hort: the school link matters more than a pedagogical label.
pub(crate) const AFTER_SCHOOL_CONCEPTS: &[&str] = &[
    "Hort in enger Zusammenarbeit mit der Grundschule: Hausaufgabenzeit, Arbeitsgemeinschaften und Ferienprogramm.",
    "Offener Hort mit Themenräumen (Kreativwerkstatt, Bauzimmer, Bibliothek) und Hausaufgabenbetreuung.",
    "Ganztagsangebot gemeinsam mit der Schule; Schwerpunkt Bewegung und Natur, Ferienfahrten.",
    "Partizipation im Hort: Kinderrat, Projektwochen und selbstverwaltete Freizeitangebote.",
];

/// Employers holding Belegrechte in Dresden-like cities.
pub(crate) const EMPLOYERS: &[&str] = &[
    "Universitätsklinikum Carl Gustav Carus Dresden",
    "Technische Universität Dresden",
    "Infineon Technologies Dresden GmbH",
    "GlobalFoundries Dresden",
    "Städtisches Klinikum Dresden",
    "Landeshauptstadt Dresden (Personalamt)",
    "Fraunhofer-Institute Dresden",
    "Sächsische Staatsministerien",
];
