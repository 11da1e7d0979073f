//! Elastic tabstops as Go's text/tabwriter (docker's fork) computes them, so tables line up
//! byte-for-byte with docker's: tab-terminated cells in contiguous lines form a column whose
//! width is the widest cell plus padding (at least `minwidth`); a line without tabs ends
//! every column; cell widths are display widths (wide characters count 2).

pub struct TabWriter {
    minwidth: usize,
    padding: usize,
    /// Finished lines of the current block; each cell is (text, terminated by a tab).
    lines: Vec<Vec<String>>,
    cell: String,
    out: String,
}

impl TabWriter {
    pub fn new(minwidth: usize, padding: usize) -> Self {
        TabWriter {
            minwidth,
            padding,
            lines: vec![Vec::new()],
            cell: String::new(),
            out: String::new(),
        }
    }

    pub fn write(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '\t' | '\x0b' => {
                    let cell = std::mem::take(&mut self.cell);
                    self.current().push(cell);
                }
                '\n' | '\x0c' => {
                    let cell = std::mem::take(&mut self.cell);
                    self.current().push(cell);
                    let ncells = self.current().len();
                    self.lines.push(Vec::new());
                    if c == '\x0c' || ncells == 1 {
                        // A line with a single cell cannot be part of a column: flush.
                        self.flush_block();
                    }
                }
                c => self.cell.push(c),
            }
        }
    }

    /// Flushes and returns everything written.
    pub fn finish(mut self) -> String {
        if !self.cell.is_empty() {
            let cell = std::mem::take(&mut self.cell);
            self.current().push(cell);
        }
        self.flush_block();
        self.out
    }

    fn current(&mut self) -> &mut Vec<String> {
        let last = self.lines.len() - 1;
        &mut self.lines[last]
    }

    fn flush_block(&mut self) {
        let lines = std::mem::replace(&mut self.lines, vec![Vec::new()]);
        let mut widths = Vec::new();
        self.format(&lines, 0, lines.len(), &mut widths);
    }

    fn format(
        &mut self,
        lines: &[Vec<String>],
        mut line0: usize,
        line1: usize,
        widths: &mut Vec<usize>,
    ) {
        let column = widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= lines[this].len() {
                this += 1;
                continue;
            }
            // This line has a cell in `column`: print the lines before, then size the block.
            self.write_lines(lines, line0, this, widths);
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 && column + 1 < lines[this].len() {
                width = width.max(display_width(&lines[this][column]) + self.padding);
                this += 1;
            }
            widths.push(width);
            self.format(lines, line0, this, widths);
            widths.pop();
            line0 = this;
        }
        self.write_lines(lines, line0, line1, widths);
    }

    fn write_lines(&mut self, lines: &[Vec<String>], line0: usize, line1: usize, widths: &[usize]) {
        for (i, line) in lines.iter().enumerate().take(line1).skip(line0) {
            for (j, cell) in line.iter().enumerate() {
                self.out.push_str(cell);
                if j < widths.len() {
                    let pad = widths[j].saturating_sub(display_width(cell));
                    self.out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            // The last line of a block is the unterminated remainder: no newline after it.
            if i + 1 < lines.len() {
                self.out.push('\n');
            }
        }
    }
}

/// Display width as go-runewidth counts it: combining marks 0, East Asian wide 2, else 1.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    match u {
        0 => 0,
        0x0300..=0x036F | 0x200B..=0x200F | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F => {
            0
        }
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_with_min_width_and_padding() {
        let mut w = TabWriter::new(10, 3);
        w.write("NETWORK ID\tNAME\tDRIVER\tSCOPE\n");
        w.write("40e0663e2717\tbridge\tbridge\tlocal\n");
        assert_eq!(
            w.finish(),
            "NETWORK ID     NAME      DRIVER    SCOPE\n40e0663e2717   bridge    bridge    local\n"
        );
    }

    #[test]
    fn a_line_without_tabs_ends_the_columns() {
        let mut w = TabWriter::new(1, 1);
        w.write("a:\tx\nlonger:\ty\nplain\nb:\tz\n");
        assert_eq!(w.finish(), "a:      x\nlonger: y\nplain\nb: z\n");
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(display_width("ab"), 2);
        assert_eq!(display_width("日本"), 4);
        assert_eq!(display_width("ünï"), 3);
    }
}
