//! Server-sent events framing as OpenAI-compatible servers send it: events separated by a
//! blank line, payload in `data:` lines, the stream closed by `data: [DONE]`.

/// Splits a byte stream into the `data` payloads of complete events.
#[derive(Default)]
pub struct SseDecoder {
    buffer: String,
    pending: Vec<u8>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SseData {
    Data(String),
    Done,
}

impl SseDecoder {
    /// Feeds bytes; returns the payloads of the events completed by them.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseData> {
        self.pending.extend_from_slice(bytes);
        // Keep an incomplete UTF-8 sequence for the next chunk.
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) => e.valid_up_to(),
        };
        self.buffer
            .push_str(&String::from_utf8_lossy(&self.pending[..valid]));
        self.pending.drain(..valid);
        // Normalised on the whole buffer: a CRLF may straddle two chunks.
        if self.buffer.contains('\r') {
            self.buffer = self.buffer.replace("\r\n", "\n");
        }

        let mut out = Vec::new();
        while let Some(end) = self.buffer.find("\n\n") {
            let event: String = self.buffer.drain(..end + 2).collect();
            let data: Vec<&str> = event
                .lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if data.is_empty() {
                continue; // comments (": keep-alive") and events without data
            }
            let payload = data.join("\n");
            out.push(if payload.trim() == "[DONE]" {
                SseData::Done
            } else {
                SseData::Data(payload)
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_events_across_arbitrary_chunks() {
        let wire = "data: {\"a\":1}\n\n: keep-alive\n\ndata: {\"b\":\"é\"}\r\n\r\ndata: [DONE]\n\n";
        let bytes = wire.as_bytes();
        for split in 1..bytes.len() {
            let mut decoder = SseDecoder::default();
            let mut events = decoder.feed(&bytes[..split]);
            events.extend(decoder.feed(&bytes[split..]));
            assert_eq!(
                events,
                vec![
                    SseData::Data("{\"a\":1}".into()),
                    SseData::Data("{\"b\":\"é\"}".into()),
                    SseData::Done
                ],
                "split at {split}"
            );
        }
    }

    #[test]
    fn joins_multi_line_data() {
        let mut decoder = SseDecoder::default();
        assert_eq!(
            decoder.feed(b"data: line1\ndata: line2\n\n"),
            vec![SseData::Data("line1\nline2".into())]
        );
    }
}
