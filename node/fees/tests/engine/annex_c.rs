//! Annex C "Konfiguration Elternbeiträge" (seed 004, L6096-6330): all 88 published fees, each
//! computed by the engine through a whole case. Labels and values verbatim from the source:
//! (label line, label, value line, value).

use crate::support::{case, child, compute, euros, fee, with_children};
use serde_json::json;

const TABLE: [(u32, &str, u32, &str); 88] = [
    (6101, "1.Kind KK 10 h", 6151, "210,4"),
    (6102, "1.Kind KK 9 h", 6152, "189,36"),
    (6103, "1.Kind KK 8 h", 6153, "168,32"),
    (6104, "1.Kind KK 7 h", 6154, "147,28"),
    (6105, "1.Kind KK 6 h", 6155, "126,24"),
    (6106, "1.Kind KK 4,5 h", 6156, "94,68"),
    (6107, "2.Kind KK 10 h", 6157, "126,24"),
    (6108, "2.Kind KK 9 h", 6158, "113,62"),
    (6109, "2.Kind KK 8 h", 6159, "100,99"),
    (6110, "2.Kind KK 7 h", 6160, "88,37"),
    (6111, "2.Kind KK 6 h", 6161, "75,74"),
    (6112, "2.Kind KK 4,5 h", 6162, "56,81"),
    (6113, "1.Kind KK 10 h alleinerz.", 6163, "189,36"),
    (6114, "1.Kind KK 9 h alleinerz.", 6164, "170,42"),
    (6115, "1.Kind KK 8 h alleinerz.", 6165, "151,49"),
    (6116, "1.Kind KK 7 h alleinerz.", 6166, "132,55"),
    (6117, "1.Kind KK 6 h alleinerz.", 6167, "113,62"),
    (6118, "1.Kind KK 4,5 h alleinerz.", 6168, "85,21"),
    (6119, "2.Kind KK 10 h alleinerz.", 6169, "105,2"),
    (6120, "2.Kind KK 9 h alleinerz.", 6170, "94,68"),
    (6121, "2.Kind KK 8 h alleinerz.", 6171, "84,16"),
    (6122, "2.Kind KK 7 h alleinerz.", 6172, "73,64"),
    (6123, "2.Kind KK 6 h alleinerz.", 6173, "63,12"),
    (6124, "2.Kind KK 4,5 h alleinerz.", 6174, "47,34"),
    (6125, "1.Kind KG 10 h", 6175, "146,81"),
    (6126, "1.Kind KG 9 h", 6176, "132,13"),
    (6127, "1.Kind KG 8 h", 6177, "117,45"),
    (6128, "1.Kind KG 7 h", 6178, "102,77"),
    (6129, "1.Kind KG 6 h", 6179, "88,09"),
    (6130, "1.Kind KG 4,5 h", 6180, "66,07"),
    (6131, "2.Kind KG 10 h", 6181, "88,09"),
    (6132, "2.Kind KG 9 h", 6182, "79,28"),
    (6133, "2.Kind KG 8 h", 6183, "70,47"),
    (6134, "2.Kind KG 7 h", 6184, "61,66"),
    (6135, "2.Kind KG 6 h", 6185, "52,85"),
    (6136, "2.Kind KG 4,5 h", 6186, "39,64"),
    (6137, "1.Kind KG 10 h alleinerz.", 6187, "132,13"),
    (6138, "1.Kind KG 9 h alleinerz.", 6188, "118,92"),
    (6139, "1.Kind KG 8 h alleinerz.", 6189, "105,71"),
    (6140, "1.Kind KG 7 h alleinerz.", 6190, "92,49"),
    (6141, "1.Kind KG 6 h alleinerz.", 6191, "79,28"),
    (6142, "1.Kind KG 4,5 h alleinerz.", 6192, "59,46"),
    (6143, "2.Kind KK 10 h alleinerz.", 6193, "73,41"),
    (6144, "2.Kind KG 9 h alleinerz.", 6194, "66,07"),
    (6145, "2.Kind KG 8 h alleinerz.", 6195, "58,73"),
    (6146, "2.Kind KG 7 h alleinerz.", 6196, "51,39"),
    (6147, "2.Kind KG 6 h alleinerz.", 6197, "44,05"),
    (6148, "2.Kind KG 4,5 h alleinerz.", 6198, "33,04"),
    (6250, "1.Kind Hort 9 h", 6291, "118,34"),
    (6251, "1.Kind Hort 8 h", 6292, "105,19"),
    (6252, "1.Kind Hort 7 h", 6293, "92,04"),
    (6253, "1.Kind Hort 6 h", 6294, "78,89"),
    (6254, "1.Kind Hort 5 h", 6295, "65,74"),
    (6255, "2.Kind Hort 9 h", 6296, "71"),
    (6256, "2.Kind Hort 8 h", 6297, "63,11"),
    (6257, "2.Kind Hort 7 h", 6298, "55,22"),
    (6258, "2.Kind Hort 6 h", 6299, "47,33"),
    (6259, "2.Kind Hort 5 h", 6300, "39,44"),
    (6260, "1.Kind Hort 9 h alleinerz.", 6301, "106,51"),
    (6261, "1.Kind Hort 8 h alleinerz.", 6302, "94,67"),
    (6262, "1.Kind Hort 7 h alleinerz.", 6303, "82,84"),
    (6263, "1.Kind Hort 6 h alleinerz.", 6304, "71"),
    (6264, "1.Kind Hort 5 h alleinerz.", 6305, "59,17"),
    (6265, "2.Kind Hort 9 h alleinerz.", 6306, "59,17"),
    (6266, "2.Kind Hort 8 h alleinerz.", 6307, "52,6"),
    (6267, "2.Kind Hort 7 h alleinerz.", 6308, "46,02"),
    (6268, "2.Kind Hort 6 h alleinerz.", 6309, "39,45"),
    (6269, "2.Kind Hort 5 h alleinerz.", 6310, "32,87"),
    (6270, "1.Kind Förd. 9 h", 6311, "146,88"),
    (6271, "1.Kind Förd. 8 h", 6312, "130,56"),
    (6272, "1.Kind Förd. 7 h", 6313, "114,24"),
    (6273, "1.Kind Förd. 6 h", 6314, "97,92"),
    (6274, "1.Kind Förd. 5 h", 6315, "81,6"),
    (6275, "2.Kind Förd. 9 h", 6316, "88,13"),
    (6276, "2.Kind Förd. 8 h", 6317, "78,34"),
    (6277, "2.Kind Förd. 7 h", 6318, "68,54"),
    (6278, "2.Kind Förd. 6 h", 6319, "58,75"),
    (6279, "2.Kind Förd. 5 h", 6320, "48,96"),
    (6280, "1.Kind Förd. 9 h alleinerz.", 6321, "132,19"),
    (6281, "1.Kind Förd. 8 h alleinerz.", 6322, "117,5"),
    (6282, "1.Kind Förd. 7 h alleinerz.", 6323, "102,82"),
    (6283, "1.Kind Förd. 6 h alleinerz.", 6324, "88,13"),
    (6284, "1.Kind Förd. 5 h alleinerz.", 6325, "73,44"),
    (6285, "2.Kind Förd. 9 h alleinerz.", 6326, "73,44"),
    (6286, "2.Kind Förd. 8 h alleinerz.", 6327, "65,28"),
    (6287, "2.Kind Förd. 7 h alleinerz.", 6328, "57,12"),
    (6288, "2.Kind Förd. 6 h alleinerz.", 6329, "48,96"),
    (6289, "2.Kind Förd. 5 h alleinerz.", 6330, "40,8"),
];

/// The block a line lies in decides the care type: the labels have one typo (L6143 says "KK" in
/// the Kindergarten block; its value 73,41 is the Kindergarten fee: 146.81 × 50 % = 73.405 → 73.41,
/// while Krippe would give 105.20).
fn care_type_of_block(line: u32) -> &'static str {
    match line {
        6101..=6124 => "krippe",
        6125..=6148 => "kindergarten",
        6250..=6269 => "hort",
        6270..=6289 => "foerderhort",
        _ => panic!("line {line} is not in the table"),
    }
}

struct Entry {
    care_type: &'static str,
    second_child: bool,
    single_parent: bool,
    hours: String,
}

fn read_label(line: u32, label: &str) -> Entry {
    let parts: Vec<&str> = label.split(' ').collect();
    let care_type = care_type_of_block(line);
    let label_type = match parts[1] {
        "KK" => "krippe",
        "KG" => "kindergarten",
        "Hort" => "hort",
        "Förd." => "foerderhort",
        other => panic!("unknown kind {other} at L{line}"),
    };
    assert!(
        label_type == care_type || line == 6143,
        "L{line}: label {label:?} outside its block"
    );
    Entry {
        care_type,
        second_child: parts[0] == "2.Kind",
        single_parent: label.ends_with("alleinerz."),
        hours: parts[2].replace(',', "."),
    }
}

#[test]
fn all_88_published_fees() {
    let mut checked = 0;
    for (label_line, label, value_line, value) in TABLE {
        let entry = read_label(label_line, label);
        let tested = child("tested", "2010-06-01", entry.care_type, &entry.hours);
        // A second child needs an older Zählkind; its own fee does not matter here.
        let children = if entry.second_child {
            vec![child("older", "2003-01-01", "hort", "6"), tested]
        } else {
            vec![tested]
        };
        let mut c = with_children(case(), children);
        c["family"]["single_parent"] = json!(entry.single_parent);
        let result = compute(&c);
        assert_eq!(
            fee(&result, "2012-03", "tested"),
            json!(euros(value)),
            "L{label_line} {label:?}, value L{value_line}"
        );
        let rank = if entry.second_child { 2 } else { 1 };
        assert_eq!(
            result["months"]["2012-03"]["children"]["tested"]["countable_rank"],
            json!(rank)
        );
        checked += 1;
    }
    assert_eq!(checked, 88);
}

/// RULES.md §4 and § 11 (1): the base fees at 9 h (Hort 6 h) are the table's first-child fees.
#[test]
fn base_fees_at_base_hours() {
    for (care_type, hours, expected) in [
        ("krippe", "9", "189.36"),
        ("kindergarten", "9", "132.13"),
        ("hort", "6", "78.89"),
        ("foerderhort", "9", "146.88"),
        // § 11 (3): Tagespflege pays the Krippe fee.
        ("tagespflege", "9", "189.36"),
        ("tagespflege", "4.5", "94.68"),
    ] {
        let c = with_children(case(), vec![child("a", "2010-06-01", care_type, hours)]);
        assert_eq!(
            fee(&compute(&c), "2012-03", "a"),
            json!(expected),
            "{care_type} {hours}"
        );
    }
}
