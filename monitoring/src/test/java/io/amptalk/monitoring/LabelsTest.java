package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelsTest {

  @Test
  void normalize_nullOrBlank_isUnknown() {
    assertThat(Labels.normalize(null)).isEqualTo("unknown");
    assertThat(Labels.normalize("")).isEqualTo("unknown");
    assertThat(Labels.normalize(" \n\t")).isEqualTo("unknown");
  }

  @Test
  void normalize_shortValue_isSameInstance() {
    String value = "/api/transcription";
    assertThat(Labels.normalize(value)).isSameAs(value);
    String exact = "a".repeat(Labels.MAX_LENGTH);
    assertThat(Labels.normalize(exact)).isSameAs(exact);
  }

  @Test
  void normalize_longValue_isCutToMaxLength() {
    assertThat(Labels.normalize("b".repeat(1000))).isEqualTo("b".repeat(Labels.MAX_LENGTH));
  }

  @Test
  void normalize_neverSplitsSurrogatePair() {
    // 127 ASCII characters, then U+1F600 (two chars) straddling the cut.
    String value = "c".repeat(Labels.MAX_LENGTH - 1) + "\uD83D\uDE00" + "tail";

    String cut = Labels.normalize(value);

    assertThat(cut).isEqualTo("c".repeat(Labels.MAX_LENGTH - 1));
  }
}
