package io.amptalk.monitoring.internal.metrics;

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

  @Test
  void normalize_unpairedSurrogates_becomeReplacementCharacters() {
    // UTF-8 cannot carry them: each would be written as '?', so two such values were one series
    // written twice.
    assertThat(Labels.normalize("/a\uD800")).isEqualTo("/a\uFFFD");
    assertThat(Labels.normalize("/a\uDC00")).isEqualTo("/a\uFFFD");
    assertThat(Labels.normalize("\uDE00\uD83D")).isEqualTo("\uFFFD\uFFFD");
    String paired = "/\uD83D\uDE00";
    assertThat(Labels.normalize(paired)).isSameAs(paired);
  }

  @Test
  void normalize_replacesBeforeCutting_soALoneHighSurrogateAtTheCutIsKeptAsReplacement() {
    String value = "d".repeat(Labels.MAX_LENGTH - 1) + "\uD83D" + "tail";

    assertThat(Labels.normalize(value)).isEqualTo("d".repeat(Labels.MAX_LENGTH - 1) + "\uFFFD");
  }
}
