package com.example.springboot;

import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /users/{id}}: every request is one series of route {@code /users/{id}}, whatever the
 * id, with the status sent: an unknown user's 404 from the exception handler below is a 404 of that
 * route. {@code GET /boom} throws an exception nothing handles: a 500, counted as an error of type
 * {@code java.lang.IllegalStateException}.
 */
@RestController
public class UsersController {
  private final UserStore users;

  public UsersController(UserStore users) {
    this.users = users;
  }

  @GetMapping("/users/{id}")
  public UserStore.User user(@PathVariable long id) {
    return users.find(id).orElseThrow(() -> new UnknownUserException(id));
  }

  @GetMapping("/boom")
  public String boom() {
    throw new IllegalStateException("boom");
  }

  @ExceptionHandler(UnknownUserException.class)
  @ResponseStatus(HttpStatus.NOT_FOUND)
  public Map<String, String> unknownUser(UnknownUserException e) {
    return Map.of("error", e.getMessage());
  }

  /** No user has this id. */
  static final class UnknownUserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownUserException(long id) {
      super("no user " + id);
    }
  }
}
