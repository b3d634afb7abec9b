package com.example.springboot;

import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The users this service serves: a stand-in for a database. */
@Component
public class UserStore {
  private final Map<Long, User> users = Map.of(1L, new User(1, "Ada"), 2L, new User(2, "Grace"));

  public Optional<User> find(long id) {
    return Optional.ofNullable(users.get(id));
  }

  public int count() {
    return users.size();
  }

  /** A user, as the API returns it. */
  public record User(long id, String name) {}
}
