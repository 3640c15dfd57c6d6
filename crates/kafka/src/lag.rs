//! How far a consumer group is behind on a topic, and who is doing the work: what
//! `orders lag` shows, like `rpk group describe` or `kafka-consumer-groups --describe`.
//!
//! Everything is read from outside the group. The group's committed offsets come from
//! [`GroupOffsets`] (an OffsetFetch under its id by a client that never subscribes, so it
//! never joins and never triggers a rebalance), the log's ends from ListOffsets, and the owner of each
//! partition from DescribeGroups: every member's assignment, which the group leader wrote
//! in the Kafka consumer protocol's format and which the broker only stores and hands
//! back, so it is decoded here.

use crate::reader::{self, GroupOffsets};
use crate::{ClientLogging, KafkaConfig, Result, admin};
use rdkafka::consumer::{BaseConsumer, Consumer};
use std::collections::BTreeMap;
use std::time::Duration;

/// One member of a consumer group, as the broker describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The id the coordinator gave the member when it joined.
    pub member_id: String,
    /// The member's `client.id` (`KAFKA_CLIENT_ID`), which names the process.
    pub client_id: String,
    /// Where the member connected from, as the broker saw it (`/127.0.0.1`).
    pub host: String,
    /// The partitions of the topic asked about that the member owns, in order.
    pub partitions: Vec<i32>,
}

/// One partition's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionLag {
    pub partition: i32,
    /// The next offset the group will read, as committed; `None` when the group has
    /// committed nothing on this partition.
    pub committed: Option<i64>,
    /// The low watermark: the first offset still in the log.
    pub log_start: i64,
    /// The high watermark: the offset the next record will get.
    pub log_end: i64,
    /// Records the group has yet to commit; see [`lag`].
    pub lag: i64,
    /// The index in [`GroupLag::members`] of the member that owns the partition now.
    pub owner: Option<usize>,
}

/// A consumer group's lag on one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLag {
    pub group: String,
    pub topic: String,
    /// The group's state as the coordinator reports it (`Stable`, `Empty`,
    /// `PreparingRebalance`, `CompletingRebalance`, `Dead`); `Dead` also means "unknown".
    pub state: String,
    /// Every member, whether or not it owns a partition of the topic.
    pub members: Vec<Member>,
    pub partitions: Vec<PartitionLag>,
    /// Whether the broker described the members' assignments. Apache Kafka does; nisshi
    /// 0.8.1 answers DescribeGroups with member ids only (no assignment, client id or
    /// host), and then no owner can be known from outside the group.
    pub assignments_reported: bool,
}

impl GroupLag {
    /// The sum of every partition's lag.
    pub fn total(&self) -> i64 {
        self.partitions.iter().map(|p| p.lag).sum()
    }

    /// Whether the group has committed an offset on at least one partition.
    pub fn has_committed(&self) -> bool {
        self.partitions.iter().any(|p| p.committed.is_some())
    }

    /// The member that owns `partition`, if any.
    pub fn owner(&self, partition: &PartitionLag) -> Option<&Member> {
        partition.owner.and_then(|i| self.members.get(i))
    }
}

/// The lag of one partition: from the committed offset to the log end or, when the group
/// has committed nothing there, from the log start, because that is where a group that
/// starts at the earliest offset (the order-service does) would begin. Never negative:
/// a committed offset beyond the log end (a truncated or recreated topic) means nothing
/// is waiting.
pub fn lag(committed: Option<i64>, log_start: i64, log_end: i64) -> i64 {
    let from = committed.unwrap_or(log_start).max(log_start);
    (log_end - from).max(0)
}

/// Reads `group`'s lag on every partition of `topic` without joining the group.
///
/// Committed offsets are read before the log ends, so that a record produced in between
/// can only make the lag look larger, never negative.
pub async fn group_lag(
    config: &KafkaConfig,
    group: &str,
    topic: &str,
    timeout: Duration,
) -> Result<GroupLag> {
    let consumer = GroupOffsets::new(config, group)?.consumer();
    let group = group.to_owned();
    let topic = topic.to_owned();
    admin::blocking(move || {
        let partitions =
            admin::partitions_of(consumer.client(), &topic, timeout, admin::Queue::Unpolled)?;
        let committed: BTreeMap<i32, i64> =
            reader::committed_on(&consumer, &topic, &partitions, timeout)?
                .into_iter()
                .filter_map(|(partition, offset)| Some((partition, offset?)))
                .collect();

        let (state, members, assignments_reported) =
            describe_group(&consumer, &group, &topic, timeout)?;
        let owners: BTreeMap<i32, usize> = members
            .iter()
            .enumerate()
            .flat_map(|(i, m)| m.partitions.iter().map(move |&p| (p, i)))
            .collect();

        let mut lags = Vec::with_capacity(partitions.len());
        for partition in partitions {
            let (log_start, log_end) = consumer.fetch_watermarks(&topic, partition, timeout)?;
            let committed = committed.get(&partition).copied();
            lags.push(PartitionLag {
                partition,
                committed,
                log_start,
                log_end,
                lag: lag(committed, log_start, log_end),
                owner: owners.get(&partition).copied(),
            });
        }
        Ok(GroupLag {
            group,
            topic,
            state,
            members,
            partitions: lags,
            assignments_reported,
        })
    })
    .await
}

/// The group's state and members, with each member's partitions of `topic`, and whether
/// any member's assignment was reported at all.
fn describe_group(
    consumer: &BaseConsumer<ClientLogging>,
    group: &str,
    topic: &str,
    timeout: Duration,
) -> Result<(String, Vec<Member>, bool)> {
    let list = consumer.fetch_group_list(Some(group), timeout)?;
    let Some(info) = list.groups().iter().find(|g| g.name() == group) else {
        // Brokers answer for groups they have never seen with state Dead; one that
        // leaves the group out altogether means the same.
        return Ok(("Dead".to_owned(), Vec::new(), false));
    };
    // Only the consumer protocol's assignments have a format we know (Kafka Connect
    // and others write their own); other members are listed without partitions.
    let consumer_protocol = info.protocol_type() == "consumer";
    let mut reported = false;
    let members = info
        .members()
        .iter()
        .map(|m| {
            let assignment = m.assignment().filter(|bytes| !bytes.is_empty());
            reported |= assignment.is_some();
            let mut partitions: Vec<i32> = match assignment {
                Some(bytes) if consumer_protocol => match decode_assignment(bytes) {
                    Ok(assignment) => assignment
                        .into_iter()
                        .filter(|(t, _)| t == topic)
                        .flat_map(|(_, partitions)| partitions)
                        .collect(),
                    Err(error) => {
                        tracing::warn!(
                            member = m.id(),
                            %error,
                            "cannot read a member's assignment"
                        );
                        Vec::new()
                    }
                },
                _ => Vec::new(),
            };
            partitions.sort_unstable();
            let client_id = match m.client_id() {
                "" => client_id_of_member(m.id()).to_owned(),
                client_id => client_id.to_owned(),
            };
            Member {
                member_id: m.id().to_owned(),
                client_id,
                host: m.client_host().to_owned(),
                partitions,
            }
        })
        .collect();
    Ok((info.state().to_owned(), members, reported))
}

/// The client id inside a member id. Coordinators name a joining member
/// `<client.id>-<UUID>` (Apache Kafka does, and so does nisshi); when a broker describes
/// a member without its client id (nisshi 0.8.1), this is still the process's name. An
/// id of another shape is returned whole.
pub fn client_id_of_member(member_id: &str) -> &str {
    const UUID_LEN: usize = 36;
    let Some(split) = member_id.len().checked_sub(UUID_LEN + 1) else {
        return member_id;
    };
    let (Some(client_id), Some(rest)) = (member_id.get(..split), member_id.get(split..)) else {
        return member_id;
    };
    let uuid_like = rest.starts_with('-')
        && rest[1..].chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if uuid_like { client_id } else { member_id }
}

/// A member assignment that is not in the consumer protocol's format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed consumer protocol assignment at byte {at}: {what}")]
pub struct MalformedAssignment {
    pub at: usize,
    pub what: &'static str,
}

/// Decodes a consumer protocol `Assignment` into `(topic, partitions)` pairs:
/// `version: i16`, `[topic: string, [partition: i32]]`, `user_data: bytes`, all
/// big-endian with `i16`-prefixed strings and `i32`-counted arrays. The layout is the
/// same in every version so far (0 to 3); later versions may append fields, which are
/// ignored, and so is the user data. An empty assignment (a member between a join and
/// its sync) is no partitions.
pub fn decode_assignment(
    bytes: &[u8],
) -> std::result::Result<Vec<(String, Vec<i32>)>, MalformedAssignment> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let mut reader = Reader { bytes, at: 0 };
    let version = reader.i16("version")?;
    if version < 0 {
        return Err(reader.malformed("negative version"));
    }
    let topics = reader.count("topic count")?;
    let mut assignment = Vec::with_capacity(topics.min(1024));
    for _ in 0..topics {
        let topic = reader.string()?;
        let partitions = reader.count("partition count")?;
        let mut ids = Vec::with_capacity(partitions.min(1024));
        for _ in 0..partitions {
            ids.push(reader.i32("partition")?);
        }
        assignment.push((topic, ids));
    }
    Ok(assignment)
}

/// A cursor over big-endian Kafka protocol primitives.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn malformed(&self, what: &'static str) -> MalformedAssignment {
        MalformedAssignment { at: self.at, what }
    }

    fn take<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> std::result::Result<[u8; N], MalformedAssignment> {
        let end = self
            .at
            .checked_add(N)
            .filter(|&end| end <= self.bytes.len());
        let Some(slice) = end.and_then(|end| self.bytes.get(self.at..end)) else {
            return Err(self.malformed(what));
        };
        let mut out = [0; N];
        out.copy_from_slice(slice);
        self.at += N;
        Ok(out)
    }

    fn i16(&mut self, what: &'static str) -> std::result::Result<i16, MalformedAssignment> {
        self.take::<2>(what).map(i16::from_be_bytes)
    }

    fn i32(&mut self, what: &'static str) -> std::result::Result<i32, MalformedAssignment> {
        self.take::<4>(what).map(i32::from_be_bytes)
    }

    /// An array length; a null array (-1) is empty.
    fn count(&mut self, what: &'static str) -> std::result::Result<usize, MalformedAssignment> {
        match self.i32(what)? {
            -1 => Ok(0),
            n => usize::try_from(n).map_err(|_| self.malformed("negative array length")),
        }
    }

    fn string(&mut self) -> std::result::Result<String, MalformedAssignment> {
        let len = usize::try_from(self.i16("topic name length")?)
            .map_err(|_| self.malformed("null or negative topic name length"))?;
        let end = self.at + len;
        let Some(raw) = self.bytes.get(self.at..end) else {
            return Err(self.malformed("topic name runs past the end"));
        };
        let name = std::str::from_utf8(raw).map_err(|_| self.malformed("topic name not UTF-8"))?;
        self.at = end;
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes an assignment the way librdkafka and the Java client do.
    fn encode(version: i16, topics: &[(&str, &[i32])], user_data: Option<&[u8]>) -> Vec<u8> {
        let mut out = version.to_be_bytes().to_vec();
        out.extend((topics.len() as i32).to_be_bytes());
        for (topic, partitions) in topics {
            out.extend((topic.len() as i16).to_be_bytes());
            out.extend(topic.as_bytes());
            out.extend((partitions.len() as i32).to_be_bytes());
            for p in *partitions {
                out.extend(p.to_be_bytes());
            }
        }
        match user_data {
            Some(data) => {
                out.extend((data.len() as i32).to_be_bytes());
                out.extend(data);
            }
            None => out.extend((-1i32).to_be_bytes()),
        }
        out
    }

    #[test]
    fn an_assignment_decodes_into_topics_and_partitions() {
        let bytes = encode(
            1,
            &[("order_created", &[0, 3, 5]), ("order_created-dlt", &[2])],
            None,
        );
        assert_eq!(
            decode_assignment(&bytes).unwrap(),
            vec![
                ("order_created".to_owned(), vec![0, 3, 5]),
                ("order_created-dlt".to_owned(), vec![2]),
            ]
        );
    }

    #[test]
    fn user_data_and_fields_of_later_versions_are_ignored() {
        let mut bytes = encode(3, &[("t", &[1])], Some(b"sticky"));
        bytes.extend([0, 0, 0, 7]);
        assert_eq!(
            decode_assignment(&bytes).unwrap(),
            vec![("t".to_owned(), vec![1])]
        );
    }

    #[test]
    fn an_empty_assignment_is_no_partitions() {
        assert_eq!(decode_assignment(&[]).unwrap(), vec![]);
        assert_eq!(decode_assignment(&encode(0, &[], None)).unwrap(), vec![]);
        // A version and nothing else: librdkafka writes this for a member with no
        // partitions on some versions.
        let mut bare = 0i16.to_be_bytes().to_vec();
        bare.extend((-1i32).to_be_bytes());
        assert_eq!(decode_assignment(&bare).unwrap(), vec![]);
    }

    #[test]
    fn truncated_or_nonsense_bytes_are_refused_with_where() {
        let bytes = encode(0, &[("order_created", &[0, 1])], None);
        for cut in [1, 5, 8, 20, bytes.len() - 6] {
            let error = decode_assignment(&bytes[..cut]).unwrap_err();
            assert!(error.at <= cut, "{error} at cut {cut}");
        }
        assert_eq!(
            decode_assignment(&[0xff, 0xff, 0, 0, 0, 0])
                .unwrap_err()
                .what,
            "negative version"
        );
        let mut negative = encode(0, &[], None);
        negative[2..6].copy_from_slice(&(-2i32).to_be_bytes());
        assert!(decode_assignment(&negative).is_err());
        let mut not_utf8 = encode(0, &[("ab", &[0])], None);
        not_utf8[8] = 0xff;
        assert_eq!(
            decode_assignment(&not_utf8).unwrap_err().what,
            "topic name not UTF-8"
        );
    }

    #[test]
    fn a_member_id_names_its_client() {
        assert_eq!(
            client_id_of_member("order-service-2-fc532419-b592-4b1d-9034-16dc4726de81"),
            "order-service-2"
        );
        assert_eq!(
            client_id_of_member("-fc532419-b592-4b1d-9034-16dc4726de81"),
            ""
        );
        assert_eq!(client_id_of_member("static-member"), "static-member");
        assert_eq!(
            client_id_of_member("x-zz532419-b592-4b1d-9034-16dc4726de81"),
            "x-zz532419-b592-4b1d-9034-16dc4726de81"
        );
        assert_eq!(client_id_of_member("ü"), "ü");
    }

    #[test]
    fn lag_counts_from_the_commit_or_else_from_the_log_start() {
        assert_eq!(lag(Some(40), 0, 100), 60);
        assert_eq!(lag(Some(100), 0, 100), 0);
        assert_eq!(lag(None, 0, 100), 100);
        assert_eq!(lag(None, 30, 100), 70);
        // Committed before records were deleted: only what is still there counts.
        assert_eq!(lag(Some(10), 30, 100), 70);
        // Committed past the end of a recreated topic: nothing waits.
        assert_eq!(lag(Some(500), 0, 100), 0);
    }
}
