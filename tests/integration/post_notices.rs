//! Parents who chose notification by post get the procedure's notices as letters in the ZVS's
//! outgoing post (a Kita reserved a place, a round's offer with its deadline, the place is
//! certain), not as mails: the same German text, printed with the receipt's layout.

use crate::applications::{change_doc, second_reserves, two_wishes_first_full, TwoWishes};
use kitanetz_crdt::ids::{city_org, doc_id_for};
use kitanetz_crdt::kinds::Applicant;
use kitanetz_node::applications::sequential::{self, Which};
use kitanetz_node::auth::{Caller, Principal, Role};
use kitanetz_node::intake::post::{self, LetterKind};

fn zvs() -> Principal {
    Principal::Staff(Caller {
        user_id: 1,
        username: "zvs".into(),
        display_name: "Frau Berger".into(),
        role: Role::Zvs,
        organisation: city_org(),
        provider: None,
        facility: None,
        childminder: None,
    })
}

#[tokio::test]
async fn a_reservation_reaches_parents_who_chose_the_post_as_a_printable_letter() {
    let TwoWishes {
        net,
        city,
        second,
        f2,
        mut local,
        id,
        h2,
        ..
    } = two_wishes_first_full().await;
    // The parents chose the post.
    change_doc::<Applicant>(&city, &doc_id_for("applicant", &id.0), |applicant| {
        applicant.notify_by_post = true;
    });
    let mails = || -> i64 {
        city.store()
            .conn()
            .query_row(
                "SELECT count(*) FROM outbox WHERE subject LIKE '%reserviert%'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    second_reserves((&net, &mut local), (&second, &f2, &h2), &city, "2027-03-01");
    assert_eq!(mails(), 0, "no mail: the parents chose the post");

    let letters = post::outgoing(&city.store(), &zvs(), city.now()).unwrap();
    let notice = letters
        .iter()
        .find(|l| l.kind == LetterKind::Notice && l.application == id.0)
        .expect("a notice waits in the outgoing post");
    let subject = notice.subject.clone().unwrap();
    assert!(subject.ends_with("hat einen Platz reserviert"), "{subject}");
    assert!(!subject.contains(" / "), "German only: {subject}");
    let office = kitanetz_node::http::letter_office(&city);
    let letter = post::letter(&city.store(), &zvs(), notice.id, &office, "Dresden").unwrap();
    assert_eq!(letter.title, subject);
    let paragraphs = letter.data["notice"]["paragraphs"].as_array().unwrap();
    assert!(
        paragraphs[0]
            .as_str()
            .unwrap()
            .contains("hat für Paul Berg"),
        "{paragraphs:?}"
    );
    assert!(
        !paragraphs
            .iter()
            .any(|p| p.as_str().unwrap().contains("Hello")),
        "{paragraphs:?}"
    );
    let pdf = kitanetz_node::letters::receipt_pdf(letter).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // Running again queues nothing new.
    sequential::advance_in_store(&mut city.store(), Which::All, city.now()).unwrap();
    let again = post::outgoing(&city.store(), &zvs(), city.now()).unwrap();
    assert_eq!(
        again
            .iter()
            .filter(|l| l.kind == LetterKind::Notice)
            .count(),
        1
    );
}
