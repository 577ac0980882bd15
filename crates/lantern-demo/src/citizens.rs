//! Synthetic people: the demo citizens, who can log in to the citizen portal and see their
//! footprint, and a larger background population that gives each file a realistic volume.
//!
//! Everything is generated from a fixed seed, so every demo has the same people. Names are
//! invented from common name characters and carry the mark （示範） / (demo); identity numbers
//! are drawn at random with a valid check digit ([`SubjectId::with_check_digit`]) and belong to
//! nobody on purpose: any resemblance to a real person's number is chance.

use std::collections::HashSet;

use lantern_domain::SubjectId;
use lantern_domain::subject_id::SubjectIdKind;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

/// How many demo citizens [`demo_citizens`] lists.
pub const DEMO_CITIZENS: usize = 300;

/// How many further, unnamed subjects the usage events are spread over.
pub(crate) const BACKGROUND_SUBJECTS: usize = 30_000;

/// The seed of the population; changing it changes every demo person.
const SEED: u64 = 0x6c61_6e74_6572_6e01;

/// One demo citizen: a synthetic person with a valid identity number, whose usage events the
/// demo seeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCitizen {
    /// A national ID (國民身分證統一編號) or, for a few, a resident certificate number (統一證號);
    /// the check digit is right, the number is invented.
    pub id: SubjectId,
    /// The invented name in Chinese, marked as a demo person, e.g. `陳怡安（示範）`.
    pub name_zh: String,
    /// The same name romanised as on a Taiwanese passport, e.g. `Chen Yi-an (demo)`.
    pub name_en: String,
}

/// The demo citizens, in a fixed order: the same list on every call and in every build.
#[must_use]
pub fn demo_citizens() -> Vec<DemoCitizen> {
    Population::generate().citizens
}

/// Every synthetic subject: the demo citizens first, then the background population.
#[derive(Debug, Clone)]
pub(crate) struct Population {
    /// The named demo citizens.
    pub(crate) citizens: Vec<DemoCitizen>,
    /// Unnamed subjects, all distinct from each other and from the citizens.
    pub(crate) background: Vec<SubjectId>,
}

impl Population {
    /// The population of every demo (deterministic).
    pub(crate) fn generate() -> Self {
        let mut rng = StdRng::seed_from_u64(SEED);
        let mut seen = HashSet::with_capacity(DEMO_CITIZENS + BACKGROUND_SUBJECTS);
        let mut citizens = Vec::with_capacity(DEMO_CITIZENS);
        for n in 0..DEMO_CITIZENS {
            // Every 25th citizen holds a resident certificate, every third of those an old one.
            let kind = match n % 75 {
                24 | 49 => SubjectIdKind::ResidentNew,
                74 => SubjectIdKind::ResidentOld,
                _ => SubjectIdKind::NationalId,
            };
            let female = rng.random_bool(0.5);
            let id = unique_id(&mut rng, &mut seen, kind, female);
            let (name_zh, name_en) = name(&mut rng, female);
            citizens.push(DemoCitizen {
                id,
                name_zh,
                name_en,
            });
        }
        let background = (0..BACKGROUND_SUBJECTS)
            .map(|_| {
                let kind = match rng.random_range(0..100) {
                    0 => SubjectIdKind::ResidentOld,
                    1 | 2 => SubjectIdKind::ResidentNew,
                    _ => SubjectIdKind::NationalId,
                };
                let female = rng.random_bool(0.5);
                unique_id(&mut rng, &mut seen, kind, female)
            })
            .collect();
        Self {
            citizens,
            background,
        }
    }

    /// How many subjects there are in all.
    pub(crate) fn len(&self) -> usize {
        self.citizens.len() + self.background.len()
    }

    /// Subject `index`, counting the citizens first.
    pub(crate) fn subject(&self, index: usize) -> &SubjectId {
        match index.checked_sub(self.citizens.len()) {
            None => &self.citizens[index].id,
            Some(background) => &self.background[background],
        }
    }
}

/// Area letters of the first character and their rough weights (by population): 臺北市 A,
/// 臺中市 B, 臺南市 D, 高雄市 E, 新北市 F, 宜蘭縣 G, 桃園市 H, 新竹縣 J, 苗栗縣 K, 彰化縣 N,
/// 嘉義縣 Q, 屏東縣 T, 花蓮縣 U.
const AREAS: [(char, u32); 13] = [
    ('A', 11),
    ('B', 12),
    ('D', 8),
    ('E', 12),
    ('F', 17),
    ('G', 2),
    ('H', 10),
    ('J', 3),
    ('K', 2),
    ('N', 6),
    ('Q', 2),
    ('T', 4),
    ('U', 1),
];

/// A new identity number of `kind`, distinct from every number in `seen`.
fn unique_id(
    rng: &mut StdRng,
    seen: &mut HashSet<SubjectId>,
    kind: SubjectIdKind,
    female: bool,
) -> SubjectId {
    loop {
        let total: u32 = AREAS.iter().map(|(_, w)| w).sum();
        let mut pick = rng.random_range(0..total);
        let letter = AREAS
            .iter()
            .find(|(_, w)| {
                let hit = pick < *w;
                pick = pick.saturating_sub(*w);
                hit
            })
            .map_or('A', |(letter, _)| *letter);
        // The second character gives the sex: 1/2 national, 8/9 new resident, A/B (C/D)
        // old resident.
        let second = match (kind, female) {
            (SubjectIdKind::NationalId, false) => '1',
            (SubjectIdKind::NationalId, true) => '2',
            (SubjectIdKind::ResidentNew, false) => '8',
            (SubjectIdKind::ResidentNew, true) => '9',
            (SubjectIdKind::ResidentOld, false) => 'A',
            (SubjectIdKind::ResidentOld, true) => 'B',
        };
        let body = format!("{:07}", rng.random_range(0..10_000_000));
        if let Ok(id) = SubjectId::with_check_digit(letter, second, &body)
            && seen.insert(id.clone())
        {
            return id;
        }
    }
}

/// Common surnames with their passport spelling.
const SURNAMES: [(&str, &str); 24] = [
    ("陳", "Chen"),
    ("林", "Lin"),
    ("黃", "Huang"),
    ("張", "Chang"),
    ("李", "Li"),
    ("王", "Wang"),
    ("吳", "Wu"),
    ("劉", "Liu"),
    ("蔡", "Tsai"),
    ("楊", "Yang"),
    ("許", "Hsu"),
    ("鄭", "Cheng"),
    ("謝", "Hsieh"),
    ("洪", "Hung"),
    ("郭", "Kuo"),
    ("邱", "Chiu"),
    ("曾", "Tseng"),
    ("廖", "Liao"),
    ("賴", "Lai"),
    ("周", "Chou"),
    ("葉", "Yeh"),
    ("蘇", "Su"),
    ("莊", "Chuang"),
    ("呂", "Lu"),
];

/// First characters of given names, used for anyone.
const GIVEN_FIRST: [(&str, &str); 16] = [
    ("怡", "Yi"),
    ("家", "Chia"),
    ("承", "Cheng"),
    ("宇", "Yu"),
    ("冠", "Kuan"),
    ("佳", "Chia"),
    ("柏", "Po"),
    ("詠", "Yung"),
    ("彥", "Yen"),
    ("品", "Pin"),
    ("子", "Tzu"),
    ("思", "Szu"),
    ("育", "Yu"),
    ("書", "Shu"),
    ("秉", "Ping"),
    ("語", "Yu"),
];

/// Second characters of given names, more often given to girls.
const GIVEN_SECOND_FEMALE: [(&str, &str); 12] = [
    ("婷", "ting"),
    ("安", "an"),
    ("涵", "han"),
    ("萱", "hsuan"),
    ("穎", "ying"),
    ("妤", "yu"),
    ("芸", "yun"),
    ("潔", "chieh"),
    ("寧", "ning"),
    ("庭", "ting"),
    ("瑜", "yu"),
    ("晴", "ching"),
];

/// Second characters of given names, more often given to boys.
const GIVEN_SECOND_MALE: [(&str, &str); 12] = [
    ("翔", "hsiang"),
    ("宏", "hung"),
    ("傑", "chieh"),
    ("恩", "en"),
    ("廷", "ting"),
    ("誠", "cheng"),
    ("豪", "hao"),
    ("軒", "hsuan"),
    ("睿", "jui"),
    ("銘", "ming"),
    ("哲", "che"),
    ("凱", "kai"),
];

/// An invented name and its romanisation, both marked as a demo person.
fn name(rng: &mut StdRng, female: bool) -> (String, String) {
    let (surname_zh, surname_en) = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let (first_zh, first_en) = GIVEN_FIRST[rng.random_range(0..GIVEN_FIRST.len())];
    let seconds = if female {
        &GIVEN_SECOND_FEMALE
    } else {
        &GIVEN_SECOND_MALE
    };
    let (second_zh, second_en) = seconds[rng.random_range(0..seconds.len())];
    (
        format!("{surname_zh}{first_zh}{second_zh}（示範）"),
        format!("{surname_en} {first_en}-{second_en} (demo)"),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn citizens_are_deterministic_valid_and_unique() {
        let citizens = demo_citizens();
        assert_eq!(citizens.len(), DEMO_CITIZENS);
        assert_eq!(citizens, demo_citizens());
        let numbers: BTreeSet<&str> = citizens.iter().map(|c| c.id.expose()).collect();
        assert_eq!(numbers.len(), citizens.len(), "identity numbers repeat");
        for citizen in &citizens {
            let reparsed = SubjectId::parse(citizen.id.expose()).unwrap();
            assert_eq!(reparsed, citizen.id);
            assert!(citizen.name_zh.ends_with("（示範）"), "{}", citizen.name_zh);
            assert!(citizen.name_en.ends_with(" (demo)"), "{}", citizen.name_en);
        }
    }

    #[test]
    fn citizens_vary_in_sex_area_and_kind() {
        let citizens = demo_citizens();
        let seconds: BTreeSet<char> = citizens
            .iter()
            .filter_map(|c| c.id.expose().chars().nth(1))
            .collect();
        for second in ['1', '2', '8', '9'] {
            assert!(seconds.contains(&second), "no {second}: {seconds:?}");
        }
        let areas: BTreeSet<char> = citizens
            .iter()
            .filter_map(|c| c.id.expose().chars().next())
            .collect();
        assert!(areas.len() >= 8, "{areas:?}");
        let kind = |k| citizens.iter().filter(|c| c.id.kind() == k).count();
        assert_eq!(kind(SubjectIdKind::ResidentNew), 8);
        assert_eq!(kind(SubjectIdKind::ResidentOld), 4);
        let names: BTreeSet<&str> = citizens.iter().map(|c| c.name_zh.as_str()).collect();
        assert!(names.len() > 250, "{} distinct names", names.len());
    }

    #[test]
    fn the_background_is_distinct_from_the_citizens() {
        let population = Population::generate();
        assert_eq!(population.len(), DEMO_CITIZENS + BACKGROUND_SUBJECTS);
        let all: HashSet<&SubjectId> = (0..population.len())
            .map(|i| population.subject(i))
            .collect();
        assert_eq!(all.len(), population.len());
        let residents = population
            .background
            .iter()
            .filter(|id| id.kind() != SubjectIdKind::NationalId)
            .count();
        assert!((300..=1500).contains(&residents), "{residents}");
    }
}
